"""A change the reseller asked for and its state machine (``CHANGE_TRANSITIONS``, applied only
by ``subscriptions.services.status.change_request_set_status``), with an event row per
transition."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from storefront.choices import ChoiceLabelsMixin
from storefront.models import HistoryEvent
from storefront.scoping import scoped_queryset_class
from subscriptions.models.mirror import Subscription, next_term_label


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


class ChangeRequestEvent(HistoryEvent):
    """Append-only history of a change request: who did what, when, with the facts of it in
    ``parameters``. Written only through subscriptions/events.py (one function per type); staff's
    wording is rendered from type and parameters in subscriptions/event_messages.py. Never holds a
    secret."""

    class Type(models.TextChoices):
        REQUESTED = "requested", _("Richiesta dal rivenditore")
        PLAN_REAPPLIED = "plan_reapplied", _("Piano di rinnovo riapplicato")
        TAKEN = "taken", _("Presa in carico")
        ACCEPTED = "accepted", _("Accettata da Partner Center (202)")
        TRANSITION_STARTED = "transition_started", _("Passaggio avviato")
        CONFIRMED = "confirmed", _("Confermata da Partner Center")
        FAILED = "failed", _("Non riuscita")
        RETRY_SCHEDULED = "retry_scheduled", _("Nuovo tentativo programmato")
        STAFF_RETRY = "staff_retry", _("Riprova dello staff")
        STAFF_CANCEL = "staff_cancel", _("Annullata dallo staff")
        # Written before the events were typed, its text matching none of the code's: staff
        # read the text as it was (parameters["legacy_message"]). Nothing writes it any more.
        LEGACY = "legacy", _("Evento precedente")

    class Actor(models.TextChoices):
        RESELLER = "reseller", _("Rivenditore")
        STAFF = "staff", _("Staff")
        WORKER = "worker", _("Esecuzione automatica")

    change_request = models.ForeignKey(
        ChangeRequest, on_delete=models.CASCADE, related_name="events"
    )
    type = models.CharField(max_length=24, choices=Type.choices)
    from_status = models.CharField(max_length=16, choices=ChangeStatus.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=ChangeStatus.choices, blank=True)
    actor = models.CharField(max_length=16, choices=Actor.choices)

    class Meta(HistoryEvent.Meta):
        verbose_name = _("evento della richiesta di modifica")
        verbose_name_plural = _("eventi della richiesta di modifica")
        indexes = [models.Index(fields=["type", "created_at"], name="subscriptions_event_type")]

    def __str__(self) -> str:
        return f"{self.change_request_id} · {self.get_type_display()}"
