from django.urls import path

from tenants import views

app_name = "tenants"
urlpatterns = [
    path("", views.customer_list, name="customer_list"),
]
