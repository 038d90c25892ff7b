from django.urls import path

from orders import views

app_name = "orders"
urlpatterns = [
    path("", views.order_list, name="order_list"),
    path("<int:pk>/", views.order_detail, name="order_detail"),
    path("<int:pk>/completato/", views.order_placed, name="order_placed"),
    path("<int:pk>/stato/", views.order_status, name="order_status"),
    path(
        "<int:pk>/verifica-relazione/",
        views.order_relationship_check,
        name="order_relationship_check",
    ),
]
