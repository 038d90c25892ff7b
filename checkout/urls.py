from django.urls import path

from checkout import views

app_name = "checkout"
urlpatterns = [
    path("carrello/", views.cart_detail, name="cart"),
    path("ordini/", views.order_list, name="order_list"),
]
