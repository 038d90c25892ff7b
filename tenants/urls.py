from django.urls import path

from tenants.views import customers, wizard

app_name = "tenants"
urlpatterns = [
    path("", customers.customer_list, name="customer_list"),
    path("<int:pk>/", customers.customer_detail, name="customer_detail"),
    path(
        "<int:pk>/verifica-relazione/",
        customers.customer_relationship_check,
        name="customer_relationship_check",
    ),
    path("acquisto/", wizard.checkout_customer, name="checkout_customer"),
    path("acquisto/azienda/", wizard.checkout_company, name="checkout_company"),
    path("acquisto/tenant/", wizard.checkout_tenant, name="checkout_tenant"),
    path("acquisto/partner/", wizard.checkout_partner, name="checkout_partner"),
    path("acquisto/conferma/", wizard.checkout_confirm, name="checkout_confirm"),
    path("acquisto/verifica-prefisso/", wizard.prefix_check, name="prefix_check"),
]
