"""The mirror: what Partner Center last reported of each subscription sold here, its timeline,
and what is there under a reseller's MPN ID but was never sold here."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from catalog.models import Plan
from storefront.choices import ChoiceLabelsMixin
from storefront.scoping import ResellerScopedQuerySet

# Looked up per row of the list: a dict, not the enum's ``values`` (a new list on each call).
TERM_LABELS = dict(Plan.Term.choices)
BILLING_LABELS = dict(Plan.Billing.choices)
STATUS_BADGE_CLASSES = {
    "active": "text-bg-success",
    "pending": "text-bg-info",
    "suspended": "text-bg-warning",
}


class Subscription(ChoiceLabelsMixin, models.Model):
    """One Partner Center subscription sold here, as Partner Center last reported it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("In attivazione")
        ACTIVE = "active", _("Attiva")
        SUSPENDED = "suspended", _("Sospesa")
        DELETED = "deleted", _("Cancellata")
        EXPIRED = "expired", _("Scaduta")
        DISABLED = "disabled", _("Disattivata")

    reseller = models.ForeignKey(
        "storefront.Reseller", on_delete=models.PROTECT, related_name="subscriptions"
    )
    customer = models.ForeignKey(
        "tenants.Customer",
        verbose_name=_("cliente"),
        on_delete=models.PROTECT,
        related_name="subscriptions",
    )
    order = models.ForeignKey(
        "orders.Order", verbose_name=_("ordine"), on_delete=models.PROTECT, related_name="+"
    )
    order_line = models.OneToOneField(
        "orders.OrderLine", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("sottoscrizione base"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="addons",
    )
    partner_center_id = models.CharField(_("id Partner Center"), max_length=64, unique=True)
    partner_center_customer_id = models.CharField(max_length=64)
    entitlement_id = models.CharField(max_length=64, blank=True)
    product_id = models.CharField(_("product id"), max_length=32)
    sku_id = models.CharField(_("SKU id"), max_length=16)
    title = models.CharField(_("prodotto"), max_length=255)
    quantity = models.PositiveIntegerField(_("licenze"))
    term = models.CharField(_("durata"), max_length=3)
    billing = models.CharField(_("fatturazione"), max_length=16)
    status = models.CharField(_("stato"), max_length=16, choices=Status.choices)
    auto_renew_enabled = models.BooleanField(_("rinnovo automatico"), default=True)
    partner_id = models.CharField(_("partner of record (MPN ID)"), max_length=16, blank=True)
    started_at = models.DateTimeField(_("inizio del periodo"), null=True, blank=True)
    commitment_end = models.DateTimeField(
        _("fine del periodo"), null=True, blank=True, db_index=True
    )
    cancellation_allowed_until = models.DateTimeField(
        _("cancellabile fino al"), null=True, blank=True
    )
    refundable_quantity = models.PositiveIntegerField(_("licenze riducibili"), default=0)
    # [{"quantity": 3, "until": "2027-03-14T09:32:00+00:00"}, ...] as Partner Center reported.
    refund_buckets = models.JSONField(default=list, blank=True)
    etag = models.CharField(max_length=128, blank=True)
    # The renewal plan Partner Center holds now (scheduledNextTermInstructions, in the mirror's
    # words: product_id, sku_id, availability_id, term, billing, quantity), or None.
    scheduled_next_term = models.JSONField(null=True, blank=True)
    # What Partner Center's immediate transition eligibilities last said (services/upgrades.py):
    # [{"offer_id", "catalog_item_id", "title", "is_eligible", "errors": [{"code",
    # "description"}], "targets": [{"id", "name"}]}]; read by the upgrade page, never live.
    upgrade_targets = models.JSONField(default=list, blank=True)
    upgrade_targets_checked_at = models.DateTimeField(null=True, blank=True)
    synced_at = models.DateTimeField(_("aggiornata il"))
    # Set when a sync no longer finds it in Partner Center (staff look; the row stays).
    vanished_at = models.DateTimeField(
        _("non trovata in Partner Center dal"), null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ResellerScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("sottoscrizione")
        verbose_name_plural = _("sottoscrizioni")
        ordering = ["customer__company_name", "title", "pk"]
        indexes = [models.Index(fields=["reseller", "status"], name="subscriptions_by_status")]

    def __str__(self) -> str:
        return f"{self.title} · {self.quantity}"

    @property
    def is_addon(self) -> bool:
        return self.parent_id is not None

    @property
    def status_badge_class(self) -> str:
        return STATUS_BADGE_CLASSES.get(self.status, "text-bg-secondary")

    @property
    def term_label(self) -> str:
        return TERM_LABELS.get(self.term, self.term)

    @property
    def billing_label(self) -> str:
        return BILLING_LABELS.get(self.billing.lower(), self.billing)

    @property
    def next_term_label(self) -> str:
        return next_term_label(self.scheduled_next_term)


class SubscriptionEvent(models.Model):
    """Append-only timeline of a subscription: what the sync found and every change request."""

    class Kind(models.TextChoices):
        MIRRORED = "mirrored", _("Sottoscrizione attivata")
        SYNC_CHANGED = "sync_changed", _("Cambiamento trovato in Partner Center")
        VANISHED = "vanished", _("Non più presente in Partner Center")
        CHANGE_REQUESTED = "change_requested", _("Modifica richiesta")
        CHANGE_COMPLETED = "change_completed", _("Modifica completata")
        CHANGE_FAILED = "change_failed", _("Modifica non riuscita")
        CHANGE_CANCELLED = "change_cancelled", _("Modifica annullata dallo staff")
        RENEWED = "renewed", _("Rinnovata")
        EXPIRED = "expired", _("Scaduta")
        DISABLED = "disabled", _("Disattivata")
        PLAN_REAPPLIED = "plan_reapplied", _("Piano di rinnovo riapplicato")

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=24, choices=Kind.choices)
    change_request = models.ForeignKey(
        "ChangeRequest", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Language-neutral facts (the order and product; the changed fields' names for a sync);
    # ``summary_display`` words them in the reader's language. Never a secret.
    summary = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("evento della sottoscrizione")
        verbose_name_plural = _("eventi della sottoscrizione")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.subscription_id} · {self.get_kind_display()}"

    @property
    def summary_display(self) -> str:
        if self.change_request_id is not None:
            return self.change_request.description
        if self.kind in RENEWAL_EVENT_KINDS:
            from subscriptions.services.renewals import renewal_event_summary

            return renewal_event_summary(self)
        if self.kind == self.Kind.SYNC_CHANGED:
            return ", ".join(
                str(SYNC_FIELD_LABELS.get(name, name)) for name in self.summary.split(",") if name
            )
        return self.summary


# The mirror's fields a sync watches, as the timeline names them.
SYNC_FIELD_LABELS = {
    "quantity": _("licenze"),
    "status": _("stato"),
    "auto_renew_enabled": _("rinnovo automatico"),
    "commitment_end": _("fine del periodo"),
    "cancellation_allowed_until": _("finestra di cancellazione"),
    "refundable_quantity": _("licenze riducibili"),
    "scheduled_next_term": _("piano di rinnovo"),
}
RENEWAL_EVENT_KINDS = frozenset(
    {
        SubscriptionEvent.Kind.RENEWED,
        SubscriptionEvent.Kind.EXPIRED,
        SubscriptionEvent.Kind.DISABLED,
        SubscriptionEvent.Kind.PLAN_REAPPLIED,
    }
)


class UnsoldSubscription(models.Model):
    """In Partner Center under this reseller's MPN ID for a customer of ours, but never sold
    here: listed for staff, never adopted silently into the mirror."""

    customer = models.ForeignKey(
        "tenants.Customer", on_delete=models.CASCADE, related_name="+", verbose_name=_("cliente")
    )
    partner_center_id = models.CharField(_("id Partner Center"), max_length=64, unique=True)
    title = models.CharField(_("prodotto"), max_length=255)
    quantity = models.PositiveIntegerField(_("licenze"))
    status = models.CharField(_("stato"), max_length=16)
    partner_id = models.CharField(_("partner of record (MPN ID)"), max_length=16, blank=True)
    first_seen_at = models.DateTimeField(_("trovata il"), auto_now_add=True)
    last_seen_at = models.DateTimeField(_("vista l'ultima volta il"))

    class Meta:
        verbose_name = _("sottoscrizione non venduta qui")
        verbose_name_plural = _("sottoscrizioni non vendute qui")
        ordering = ["-last_seen_at", "pk"]

    def __str__(self) -> str:
        return f"{self.title} · {self.partner_center_id}"


def next_term_label(next_term: dict | None) -> str:
    """A renewal plan in words: "101 licenze · 1 anno · mensile" (plus the product if named)."""
    from django.utils.translation import gettext as _t
    from django.utils.translation import ngettext

    if not next_term:
        return _t("nessuno")
    quantity = next_term.get("quantity") or 0
    parts = [ngettext("%(n)s licenza", "%(n)s licenze", quantity) % {"n": quantity}]
    term, billing = next_term.get("term", ""), str(next_term.get("billing", "")).lower()
    parts.append(str(Plan.Term(term).label) if term in Plan.Term.values else term)
    parts.append(str(Plan.Billing(billing).label) if billing in Plan.Billing.values else billing)
    if next_term.get("title"):
        parts.insert(0, next_term["title"])
    return " · ".join(part for part in parts if part)
