"""The e-mail outbox: one row per e-mail an order must send, sent exactly once.

The row is the claim that makes retries safe: ``email_deliver`` marks it *sending* before talking
to the SMTP server and *sent* once the server accepted the message (notifications/services.py
explains the one crash window left). The body is rendered at send time and never stored, since
e-mail 1 carries the new tenant's temporary password.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Email(models.Model):
    class Kind(models.TextChoices):
        CREDENTIALS = "credentials", _("Credenziali di accesso")
        SUBSCRIPTION_SUMMARY = "subscription_summary", _("Riepilogo della sottoscrizione")
        RELATIONSHIP_REMINDER = "relationship_reminder", _("Promemoria relazione di rivenditore")
        STAFF_FAILURE_ALERT = "staff_failure_alert", _("Avviso allo staff: ordine non riuscito")
        STAFF_PASSWORD_RESET = (
            "staff_password_reset",
            _("Avviso allo staff: password dell'amministratore da reimpostare"),
        )
        CHANGE_COMPLETED = "change_completed", _("Modifica della sottoscrizione completata")
        CHANGE_FAILED = "change_failed", _("Modifica della sottoscrizione non riuscita")
        WINDOW_REMINDER = "window_reminder", _("Promemoria: finestra di cancellazione")
        RENEWAL_REMINDER = "renewal_reminder", _("Promemoria: rinnovo in arrivo")
        RENEWED = "subscription_renewed", _("Sottoscrizione rinnovata")

    class Status(models.TextChoices):
        PENDING = "pending", _("Da inviare")
        SENDING = "sending", _("In invio")
        SENT = "sent", _("Inviata")
        FAILED = "failed", _("Non inviata")

    order = models.ForeignKey(
        "orders.Order", verbose_name=_("ordine"), on_delete=models.CASCADE, related_name="emails"
    )
    kind = models.CharField(_("tipo"), max_length=32, choices=Kind.choices)
    # Empty for the once-per-order kinds; the day for reminders, the failure event for alerts,
    # the change request for a subscription change (whose order is the subscription's).
    key = models.CharField(max_length=64, blank=True)
    recipients = models.JSONField(_("destinatari"), default=list)
    language = models.CharField(_("lingua"), max_length=8, default="it")
    subject = models.CharField(_("oggetto"), max_length=255, blank=True)
    status = models.CharField(
        _("stato"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveIntegerField(_("tentativi"), default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("inviata il"), null=True, blank=True)
    last_error = models.TextField(_("ultimo errore"), blank=True)
    created_at = models.DateTimeField(_("creata il"), auto_now_add=True)

    class Meta:
        verbose_name = _("e-mail")
        verbose_name_plural = _("e-mail")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["order", "kind", "key"], name="notifications_once")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.order_id}"
