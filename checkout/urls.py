from django.urls import path

from checkout import views

app_name = "checkout"
urlpatterns = [
    path("", views.cart_detail, name="cart"),
    path("aggiungi/", views.cart_add, name="cart_add"),
    path("aggiunto/<int:line_id>/", views.cart_added, name="cart_added"),
    path("righe/<int:line_id>/licenze/", views.line_set_quantity, name="line_set_quantity"),
    path("righe/<int:line_id>/rimuovi/", views.line_remove, name="line_remove"),
    path("righe/<int:line_id>/add-on/", views.line_add_addon, name="line_add_addon"),
    path("checkout/", views.checkout_start, name="checkout_start"),
    path("termini/", views.terms, name="terms"),
]
