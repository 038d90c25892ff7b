"""What the reseller plans for the renewal, and the reminders sent before it."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from storefront.scoping import scoped_queryset_class
from subscriptions.models.mirror import Subscription, next_term_label


class RenewalPlan(models.Model):
    """What the reseller wants at the next renewal, kept here so that it can be set again when a
    mid-term change (seats, upgrade, suspension) makes Partner Center drop it."""

    subscription = models.OneToOneField(
        Subscription, on_delete=models.CASCADE, related_name="renewal_plan"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("pianificato da"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    # product_id, sku_id, title, term, billing, quantity (as ChangeRequest.next_term).
    next_term = models.JSONField()
    # The end of the term it was planned for: a plan is spent when that term renews.
    term_end = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = scoped_queryset_class("subscription__reseller").as_manager()

    class Meta:
        verbose_name = _("piano di rinnovo")
        verbose_name_plural = _("piani di rinnovo")

    def __str__(self) -> str:
        return f"{self.subscription} → {next_term_label(self.next_term)}"

    @property
    def label(self) -> str:
        return next_term_label(self.next_term)


class ReminderKind(models.TextChoices):
    """What a reseller user can turn off in the profile (each groups one or more e-mails)."""

    WINDOW_CLOSING = "window_closing", _("La finestra di cancellazione si chiude tra 24 ore")
    RENEWAL_UPCOMING = "renewal_upcoming", _("Rinnovo tra 30, 7 e 1 giorno")
    RENEWED = "renewed", _("Sottoscrizione rinnovata")
    CHANGE_FAILED = "change_failed", _("Modifica non riuscita")


class Reminder(models.Model):
    """One reminder sent (or being sent) to one user for one event: the unique row makes it
    exactly once, whatever the number of runs of the periodic task."""

    class Kind(models.TextChoices):
        WINDOW_CLOSING = "window_closing", _("Finestra di cancellazione in chiusura")
        RENEWAL_30 = "renewal_30", _("Rinnovo tra 30 giorni")
        RENEWAL_7 = "renewal_7", _("Rinnovo tra 7 giorni")
        RENEWAL_1 = "renewal_1", _("Rinnovo domani")
        RENEWED = "renewed", _("Rinnovata")

    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, related_name="reminders"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    # The day of the event (the deadline, the renewal, the new term's start), Europe/Rome.
    event_date = models.DateField()
    # The moment it refers to (shown in the e-mail): the deadline, the term end.
    event_at = models.DateTimeField(null=True, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("promemoria")
        verbose_name_plural = _("promemoria")
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "kind", "event_date", "user"], name="reminders_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.subscription_id} · {self.event_date}"


class ReminderOptOut(models.Model):
    """A reminder kind the user turned off in the profile."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminder_opt_outs"
    )
    kind = models.CharField(max_length=24, choices=ReminderKind.choices)

    class Meta:
        verbose_name = _("promemoria disattivato")
        verbose_name_plural = _("promemoria disattivati")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="reminder_opt_out_once")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} · {self.kind}"
