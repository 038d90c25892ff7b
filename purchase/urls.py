from django.urls import path

from purchase import views

app_name = "purchase"
urlpatterns = [
    path("", views.purchase_customer, name="customer"),
    path("azienda/", views.purchase_company, name="company"),
    path("tenant/", views.purchase_tenant, name="tenant"),
    path("partner/", views.purchase_partner, name="partner"),
    path("conferma/", views.purchase_confirm, name="confirm"),
    path("verifica-prefisso/", views.prefix_check, name="prefix_check"),
]
