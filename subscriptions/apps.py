from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SubscriptionsConfig(AppConfig):
    name = "subscriptions"
    verbose_name = _("Sottoscrizioni")

    def ready(self) -> None:
        # The outbox renders our e-mails through the context we register (notifications sits
        # below this app and never imports it).
        from notifications.rendering import email_context_register
        from subscriptions.emails import (
            CHANGE_EMAIL_KINDS,
            REMINDER_EMAIL_KINDS,
            change_email_context,
            reminder_email_context,
        )

        for kind in CHANGE_EMAIL_KINDS:
            email_context_register(kind, change_email_context)
        for kind in REMINDER_EMAIL_KINDS:
            email_context_register(kind, reminder_email_context)

        from orders.signals import order_activated

        order_activated.connect(_mirror_activated_order, dispatch_uid="subscriptions-mirror")


def _mirror_activated_order(sender, *, order_id: int, **kwargs) -> None:
    """An order just became active: a worker mirrors its subscriptions."""
    from subscriptions.tasks import subscriptions_mirror_order_task

    subscriptions_mirror_order_task.delay(order_id)
