from django.urls import path

from tenants.views import customers

app_name = "tenants"
urlpatterns = [
    path("", customers.customer_list, name="customer_list"),
    path("<int:pk>/", customers.customer_detail, name="customer_detail"),
    path(
        "<int:pk>/verifica-relazione/",
        customers.customer_relationship_check,
        name="customer_relationship_check",
    ),
]
