from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    name = "orders"
    verbose_name = _("Ordini e attivazioni")

    def ready(self) -> None:
        # The outbox renders our e-mails through the context we register (notifications sits
        # below this app and never imports it).
        from notifications.rendering import email_context_register
        from orders.emails import ORDER_EMAIL_KINDS, order_email_context_for

        for kind in ORDER_EMAIL_KINDS:
            email_context_register(kind, order_email_context_for)
