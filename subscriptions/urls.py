from django.urls import path

from subscriptions import views
from subscriptions.models import ChangeRequest

app_name = "subscriptions"
urlpatterns = [
    path("", views.subscription_list, name="subscription_list"),
    path("rinnovi/", views.renewal_list, name="renewal_list"),
    path("promemoria/", views.reminder_preferences, name="reminder_preferences"),
    path("<int:pk>/", views.subscription_detail, name="subscription_detail"),
    path("<int:pk>/aggiorna/", views.subscription_refresh, name="subscription_refresh"),
    path(
        "<int:pk>/aggiungi-licenze/",
        views.subscription_change,
        {"kind": ChangeRequest.Kind.ADD_SEATS},
        name="add_seats",
    ),
    path(
        "<int:pk>/riduci-licenze/",
        views.subscription_change,
        {"kind": ChangeRequest.Kind.REMOVE_SEATS},
        name="remove_seats",
    ),
    path(
        "<int:pk>/cancella/",
        views.subscription_change,
        {"kind": ChangeRequest.Kind.CANCEL},
        name="cancel",
    ),
    path(
        "<int:pk>/rinnovo-automatico/",
        views.subscription_change,
        {"kind": ChangeRequest.Kind.AUTO_RENEW},
        name="auto_renew",
    ),
    path(
        "<int:pk>/pianifica-rinnovo/",
        views.subscription_change,
        {"kind": ChangeRequest.Kind.PLAN_RENEWAL},
        name="plan_renewal",
    ),
    path(
        "<int:pk>/rimuovi-piano/",
        views.subscription_change,
        {"kind": ChangeRequest.Kind.REMOVE_PLAN},
        name="remove_plan",
    ),
    path("<int:pk>/passa-a/", views.subscription_upgrade, name="upgrade"),
    path(
        "<int:pk>/sospendi/",
        views.subscription_change,
        {"kind": ChangeRequest.Kind.SUSPEND},
        name="suspend",
    ),
    path(
        "<int:pk>/riattiva/",
        views.subscription_change,
        {"kind": ChangeRequest.Kind.REACTIVATE},
        name="reactivate",
    ),
]
