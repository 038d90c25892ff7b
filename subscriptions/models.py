"""The local mirror of Partner Center subscriptions this storefront sold, and the changes to them.

``Subscription`` holds what Partner Center last reported (pages read it, never Partner Center);
it is filled when an order activates and refreshed by the sync, after every change and by
«Aggiorna». ``ChangeRequest`` is one change the reseller asked for (add or remove seats, cancel,
auto-renew): its own state machine (``CHANGE_TRANSITIONS``, applied only by
``subscriptions.services.status.change_request_set_status``), an event row per transition, the
idempotency key of the form and the MS-RequestId stored before each PATCH.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from catalog.models import Plan
from storefront.choices import ChoiceLabelsMixin
from storefront.scoping import ResellerScopedQuerySet, scoped_queryset_class

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


class ChangeStatus(models.TextChoices):
    REQUESTED = "requested", _("Richiesta")
    SUBMITTED = "submitted", _("Inviata a Microsoft")
    COMPLETED = "completed", _("Completata")
    FAILED = "failed", _("Non riuscita")
    CANCELLED = "cancelled", _("Annullata")


CHANGE_TRANSITIONS: dict[str, frozenset[str]] = {
    ChangeStatus.REQUESTED: frozenset(
        {ChangeStatus.SUBMITTED, ChangeStatus.FAILED, ChangeStatus.CANCELLED}
    ),
    ChangeStatus.SUBMITTED: frozenset(
        {ChangeStatus.COMPLETED, ChangeStatus.FAILED, ChangeStatus.CANCELLED}
    ),
    # Staff «Riprova» sends a failed change again.
    ChangeStatus.FAILED: frozenset({ChangeStatus.SUBMITTED, ChangeStatus.CANCELLED}),
    ChangeStatus.COMPLETED: frozenset(),
    ChangeStatus.CANCELLED: frozenset(),
}
OPEN_CHANGE_STATUSES = frozenset({ChangeStatus.REQUESTED, ChangeStatus.SUBMITTED})
FINAL_CHANGE_STATUSES = frozenset(
    {ChangeStatus.COMPLETED, ChangeStatus.FAILED, ChangeStatus.CANCELLED}
)


class ChangeRequest(ChoiceLabelsMixin, models.Model):
    Status = ChangeStatus

    class Kind(models.TextChoices):
        ADD_SEATS = "add_seats", _("Aggiungi licenze")
        REMOVE_SEATS = "remove_seats", _("Riduci licenze")
        CANCEL = "cancel", _("Cancella la sottoscrizione")
        AUTO_RENEW = "auto_renew", _("Rinnovo automatico")
        PLAN_RENEWAL = "plan_renewal", _("Pianifica il rinnovo")
        REMOVE_PLAN = "remove_plan", _("Rimuovi il piano di rinnovo")
        UPGRADE = "upgrade", _("Passa a un prodotto superiore")
        SUSPEND = "suspend", _("Sospendi")
        REACTIVATE = "reactivate", _("Riattiva")

    subscription = models.ForeignKey(
        Subscription, on_delete=models.PROTECT, related_name="change_requests"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("richiesta da"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    kind = models.CharField(_("modifica"), max_length=16, choices=Kind.choices)
    # Seats to add, remove or upgrade; the wanted auto-renew (auto_renew).
    seats = models.PositiveIntegerField(_("licenze"), null=True, blank=True)
    auto_renew_enabled = models.BooleanField(null=True, blank=True)
    # The renewal plan to set (plan_renewal): product_id, sku_id, term, billing, quantity.
    next_term = models.JSONField(null=True, blank=True)
    # From the form: a double submit, a reload or two tabs find this request again.
    idempotency_key = models.UUIDField(unique=True, editable=False)
    status = models.CharField(
        _("stato"), max_length=16, choices=ChangeStatus.choices, default=ChangeStatus.REQUESTED
    )
    # The total Partner Center must show once done, fixed from the first read before the PATCH:
    # a retry after a lost answer sends the same total, never "current + n" again.
    target_quantity = models.PositiveIntegerField(null=True, blank=True)
    # An upgrade: the target offer (product:sku) and its title, the existing subscription that
    # receives the seats (blank: a new one, whose id is stored here once Partner Center made it),
    # the catalogItemId posted and the transition's operationId to follow.
    target_offer_id = models.CharField(_("prodotto di destinazione"), max_length=32, blank=True)
    target_title = models.CharField(max_length=255, blank=True)
    target_partner_center_id = models.CharField(max_length=64, blank=True)
    target_catalog_item_id = models.CharField(max_length=64, blank=True)
    transition_operation_id = models.CharField(max_length=64, blank=True)
    # The MS-RequestId of the PATCH in flight and the Partner Center subscription it is for
    # (a cancel patches the add-ons first); kept while its outcome is unknown.
    ms_request_id = models.CharField(max_length=36, blank=True)
    request_target_id = models.CharField(max_length=64, blank=True)
    # A 202's Location: Partner Center finishes the change later, the worker polls.
    accepted_location = models.CharField(max_length=255, blank=True)
    # What the reseller reads comes from the code (subscriptions/errors.py), in its language.
    failure_code = models.CharField(_("codice Partner Center"), max_length=32, blank=True)
    failure_detail = models.TextField(_("dettaglio per lo staff"), blank=True)
    transient_failures = models.PositiveIntegerField(default=0)
    attention_due_at = models.DateTimeField(null=True, blank=True, db_index=True)
    run_lease_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(_("richiesta il"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    completed_at = models.DateTimeField(_("conclusa il"), null=True, blank=True)

    objects = scoped_queryset_class("subscription__reseller").as_manager()

    class Meta:
        verbose_name = _("richiesta di modifica")
        verbose_name_plural = _("richieste di modifica")
        ordering = ["-created_at", "-pk"]
        constraints = [
            # One change at a time per subscription: a second one waits for the first to end.
            models.UniqueConstraint(
                fields=["subscription"],
                condition=Q(status__in=["requested", "submitted"]),
                name="subscriptions_one_open_change",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.subscription}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_CHANGE_STATUSES

    @property
    def failure_message(self) -> str:
        from subscriptions.errors import change_failure_message

        return change_failure_message(self.failure_code) if self.failure_code else ""

    @property
    def description(self) -> str:
        from django.utils.translation import gettext as _t
        from django.utils.translation import ngettext

        if self.kind == self.Kind.ADD_SEATS:
            return ngettext("%(n)s licenza aggiunta", "%(n)s licenze aggiunte", self.seats) % {
                "n": self.seats
            }
        if self.kind == self.Kind.REMOVE_SEATS:
            return ngettext("%(n)s licenza rimossa", "%(n)s licenze rimosse", self.seats) % {
                "n": self.seats
            }
        if self.kind == self.Kind.CANCEL:
            return _t("Cancellazione della sottoscrizione")
        if self.kind == self.Kind.PLAN_RENEWAL:
            return _t("Piano di rinnovo: %(plan)s") % {"plan": next_term_label(self.next_term)}
        if self.kind == self.Kind.REMOVE_PLAN:
            return _t("Piano di rinnovo rimosso")
        if self.kind == self.Kind.UPGRADE:
            return ngettext(
                "%(n)s licenza passata a %(target)s",
                "%(n)s licenze passate a %(target)s",
                self.seats,
            ) % {"n": self.seats, "target": self.target_title}
        if self.kind == self.Kind.SUSPEND:
            return _t("Sottoscrizione sospesa")
        if self.kind == self.Kind.REACTIVATE:
            return _t("Sottoscrizione riattivata")
        if self.auto_renew_enabled:
            return _t("Rinnovo automatico attivato")
        return _t("Rinnovo automatico disattivato")


class ChangeRequestEvent(models.Model):
    """Append-only history of a change request: every transition, who, when, why."""

    class Actor(models.TextChoices):
        RESELLER = "reseller", _("Rivenditore")
        STAFF = "staff", _("Staff")
        WORKER = "worker", _("Esecuzione automatica")

    change_request = models.ForeignKey(
        ChangeRequest, on_delete=models.CASCADE, related_name="events"
    )
    from_status = models.CharField(max_length=16, choices=ChangeStatus.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=ChangeStatus.choices, blank=True)
    actor = models.CharField(max_length=16, choices=Actor.choices)
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # For staff: may name Partner Center codes and MS-RequestIds, never a secret.
    message = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("evento della richiesta di modifica")
        verbose_name_plural = _("eventi della richiesta di modifica")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.change_request_id} · {self.from_status} → {self.to_status}"


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
