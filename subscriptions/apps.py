from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SubscriptionsConfig(AppConfig):
    name = "subscriptions"
    verbose_name = _("Sottoscrizioni")

    def ready(self) -> None:
        # The outbox renders our e-mails through the context we register (notifications sits
        # below this app and never imports it).
        from notifications.rendering import email_context_register
        from subscriptions.emails import CHANGE_EMAIL_KINDS, change_email_context

        for kind in CHANGE_EMAIL_KINDS:
            email_context_register(kind, change_email_context)
