from django.contrib import admin
from django.urls import include, path

from storefront import views

urlpatterns = [
    path("", views.home, name="home"),
    path("health/", views.health, name="health"),
    path("lingua/", views.language_switch, name="language_switch"),
    path("profilo/", views.profile, name="profile"),
    # Before Django's own: the same URL and name, with a limit on the e-mails sent.
    path("accounts/password_reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("catalogo/", include("catalog.urls")),
    path("carrello/", include("checkout.urls")),
    path("ordini/", include("orders.urls")),
    path("clienti/acquisto/", include("purchase.urls")),
    path("clienti/", include("tenants.urls")),
    path("sottoscrizioni/", include("subscriptions.urls")),
    path("admin/", admin.site.urls),
]

admin.site.site_header = "CSP Storefront — amministrazione"
admin.site.site_title = "CSP Storefront"
