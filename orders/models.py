"""Orders placed from a cart and their provisioning through Partner Center.

An order snapshots what was bought (lines, prices, customer, tenant, MPN ID, terms) so that later
catalog or price changes never alter it. Its life is the state machine below: one table of allowed
transitions, applied only by ``orders.services.order_set_status``, which writes an ``OrderEvent``
for every change. Provisioning (orders/provisioning/) records on the order, step by step, the
Partner Center ids it obtained and the MS-RequestId of each POST *before* sending it, so that a
retry after a lost answer repeats the same request instead of creating a second tenant or order.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from catalog.models import Plan
from storefront.choices import ChoiceLabelsMixin
from storefront.models import HistoryEvent
from storefront.scoping import ResellerScopedQuerySet, scoped_queryset_class


class OrderStatus(models.TextChoices):
    PLACED = "placed", _("Ricevuto")
    PROVISIONING = "provisioning", _("In attivazione")
    AWAITING_RELATIONSHIP = "awaiting_relationship", _("In attesa della relazione")
    ACTIVE = "active", _("Attivo")
    FAILED = "failed", _("Non riuscito")
    CANCELLED = "cancelled", _("Annullato")
    RESOLVED = "resolved", _("Risolto dallo staff")


# The only transitions an order may take; everything else is refused by order_set_status.
ORDER_TRANSITIONS: dict[str, frozenset[str]] = {
    OrderStatus.PLACED: frozenset(
        {
            OrderStatus.PROVISIONING,
            OrderStatus.AWAITING_RELATIONSHIP,
            OrderStatus.FAILED,
            OrderStatus.CANCELLED,
        }
    ),
    OrderStatus.PROVISIONING: frozenset(
        {OrderStatus.ACTIVE, OrderStatus.AWAITING_RELATIONSHIP, OrderStatus.FAILED}
    ),
    OrderStatus.AWAITING_RELATIONSHIP: frozenset(
        {OrderStatus.PROVISIONING, OrderStatus.FAILED, OrderStatus.CANCELLED}
    ),
    # Staff: «riprova» (→ provisioning), «segna come risolto», «annulla».
    OrderStatus.FAILED: frozenset(
        {OrderStatus.PROVISIONING, OrderStatus.RESOLVED, OrderStatus.CANCELLED}
    ),
    OrderStatus.ACTIVE: frozenset(),
    OrderStatus.CANCELLED: frozenset(),
    OrderStatus.RESOLVED: frozenset(),
}
# The colour of the status badge on the reseller's pages; other states are "info".
STATUS_BADGE_CLASSES = {
    OrderStatus.ACTIVE: "text-bg-success",
    OrderStatus.FAILED: "text-bg-danger",
    OrderStatus.AWAITING_RELATIONSHIP: "text-bg-warning",
    OrderStatus.CANCELLED: "text-bg-secondary",
    OrderStatus.RESOLVED: "text-bg-secondary",
}
# States in which the provisioning worker owns the order.
WORKING_STATUSES = frozenset({OrderStatus.PLACED, OrderStatus.PROVISIONING})
FINAL_STATUSES = frozenset({OrderStatus.ACTIVE, OrderStatus.CANCELLED, OrderStatus.RESOLVED})


class FailureReason(models.TextChoices):
    MPN_INVALID = "mpn_invalid", _("MPN ID non valido")
    RELATIONSHIP_MISSING = "relationship_missing", _("Relazione di rivenditore mancante")
    DOMAIN_TAKEN = "domain_taken", _("Dominio già in uso")
    PARTNER_CENTER_REJECTED = "partner_center_rejected", _("Rifiutato da Partner Center")
    PARTNER_CENTER_UNAVAILABLE = "partner_center_unavailable", _("Partner Center non disponibile")
    PARTNER_CENTER_UNAUTHORIZED = (
        "partner_center_unauthorized",
        _("Credenziali Partner Center del distributore rifiutate"),
    )
    EMAIL_FAILED = "email_failed", _("Invio delle e-mail non riuscito")
    RESELLER_INACTIVE = "reseller_inactive", _("Rivenditore disattivato")
    CUSTOMER_AGREEMENT_UNAVAILABLE = (
        "customer_agreement_unavailable",
        _("Microsoft Customer Agreement non offerto da Partner Center"),
    )


class Order(ChoiceLabelsMixin, models.Model):
    Status = OrderStatus
    FailureReason = FailureReason

    reseller = models.ForeignKey(
        "storefront.Reseller", on_delete=models.PROTECT, related_name="orders"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ordinato da"),
        on_delete=models.PROTECT,
        related_name="orders",
    )
    customer = models.ForeignKey(
        "tenants.Customer",
        verbose_name=_("cliente"),
        on_delete=models.PROTECT,
        related_name="orders",
    )
    cart = models.OneToOneField("checkout.Cart", on_delete=models.PROTECT, related_name="order")
    # The cart's checkout_token: a double click, a reload or a second tab find this order again.
    idempotency_key = models.UUIDField(unique=True, editable=False)
    purchase_type = models.CharField(_("tipo di acquisto"), max_length=16)
    mpn_id = models.CharField(_("MPN ID"), max_length=10)
    terms_acceptance = models.ForeignKey("checkout.TermsAcceptance", on_delete=models.PROTECT)
    tenant_domain = models.CharField(_("tenant"), max_length=64)
    is_new_tenant = models.BooleanField(_("nuovo tenant"))

    status = models.CharField(
        _("stato"), max_length=24, choices=OrderStatus.choices, default=OrderStatus.PLACED
    )
    failure_reason = models.CharField(
        _("motivo dell'errore"), max_length=32, choices=FailureReason.choices, blank=True
    )
    failure_code = models.CharField(_("codice Partner Center"), max_length=32, blank=True)
    failure_detail = models.TextField(_("dettaglio dell'errore"), blank=True)

    # Totals as the reseller confirmed them (EUR, excluding VAT); billing frequencies never mix.
    vat_rate = models.DecimalField(_("aliquota IVA"), max_digits=5, decimal_places=4)
    monthly_net = models.DecimalField(
        _("totale mensile"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    monthly_vat = models.DecimalField(
        _("IVA mensile"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    annual_net = models.DecimalField(
        _("totale annuale"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    annual_vat = models.DecimalField(
        _("IVA annuale"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    estimated_usage_total = models.DecimalField(
        _("utilizzo stimato"), max_digits=14, decimal_places=2
    )

    # Provisioning, step by step: each *_request_id is stored before its POST and cleared after a
    # definite answer; an id left in place after an unknown outcome is sent again on the retry.
    partner_center_customer_id = models.CharField(
        _("id cliente Partner Center"), max_length=64, blank=True
    )
    customer_request_id = models.CharField(max_length=36, blank=True)
    admin_user_name = models.CharField(_("amministratore del tenant"), max_length=254, blank=True)
    # Fernet token of the new tenant's first password; erased once e-mail 1 is accepted by SMTP.
    admin_password_encrypted = models.TextField(blank=True, editable=False)
    agreement_accepted_at = models.DateTimeField(_("MCA confermato il"), null=True, blank=True)
    agreement_request_id = models.CharField(max_length=36, blank=True)
    mpn_validated_at = models.DateTimeField(_("MPN ID verificato il"), null=True, blank=True)
    # The reseller's tenant id that validation returned: the new tenant's AssociatedPartnerId.
    reseller_tenant_id = models.CharField(_("tenant id del rivenditore"), max_length=36, blank=True)
    partner_center_cart_id = models.CharField(
        _("id carrello Partner Center"), max_length=64, blank=True
    )
    cart_request_id = models.CharField(max_length=36, blank=True)
    cart_submit_request_id = models.CharField(max_length=36, blank=True)
    cart_submitted_at = models.DateTimeField(_("ordine inviato il"), null=True, blank=True)
    activated_at = models.DateTimeField(_("sottoscrizioni attive il"), null=True, blank=True)
    # Set when a POST of that step was sent and no answer came back: Partner Center may have
    # done it. Its request id is then kept through any number of transient errors, until a
    # success (which clears this) or a refusal, so that the repeat is answered with the first
    # result (recording.py ``partner_center_post``); a 409 "domain in use" after it is looked
    # up as possibly our own tenant.
    customer_request_outcome_unknown = models.BooleanField(default=False)
    agreement_request_outcome_unknown = models.BooleanField(default=False)
    cart_request_outcome_unknown = models.BooleanField(default=False)
    cart_submit_request_outcome_unknown = models.BooleanField(default=False)
    # When the wait for active subscriptions (re)started: activation_timeout counts from here.
    activation_wait_started_at = models.DateTimeField(null=True, blank=True)

    # Scheduling: when the worker should next look at it (the sweeper resumes overdue ones) and
    # how many transient failures in a row it has met (reset by any progress).
    attention_due_at = models.DateTimeField(null=True, blank=True, db_index=True)
    transient_failures = models.PositiveIntegerField(default=0)
    # The run working on the order owns it until then (runner.py): a second message for the same
    # order (staff «Riprendi», the sweeper, a redelivery) finds it taken and does nothing.
    run_lease_until = models.DateTimeField(null=True, blank=True)

    awaiting_relationship_since = models.DateTimeField(null=True, blank=True)
    awaiting_relationship_until = models.DateTimeField(
        _("attesa della relazione fino al"), null=True, blank=True
    )

    created_at = models.DateTimeField(_("ricevuto il"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("aggiornato il"), auto_now=True)
    completed_at = models.DateTimeField(_("concluso il"), null=True, blank=True)

    objects = ResellerScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("ordine")
        verbose_name_plural = _("ordini")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "attention_due_at"], name="orders_due")]

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        return f"ORD-{self.pk:06d}"

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_STATUSES

    @property
    def status_badge_class(self) -> str:
        return STATUS_BADGE_CLASSES.get(self.status, "text-bg-info")


class OrderLine(ChoiceLabelsMixin, models.Model):
    """What was bought, as it was when the order was placed, and the subscription it became."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField()
    base_line = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="addon_lines"
    )
    product_id = models.CharField(_("ID prodotto"), max_length=32)
    sku_id = models.CharField(_("ID SKU"), max_length=16)
    product_title = models.CharField(_("prodotto"), max_length=255)
    sku_title = models.CharField(_("SKU"), max_length=255)
    term = models.CharField(_("durata"), max_length=3)
    billing = models.CharField(_("fatturazione"), max_length=8)
    unit_price = models.DecimalField(
        _("prezzo unitario"), max_digits=14, decimal_places=2, help_text=_("Per l'intera durata.")
    )
    quantity = models.PositiveIntegerField(_("licenze"))
    line_total = models.DecimalField(
        _("totale per periodo di fatturazione"), max_digits=14, decimal_places=2
    )
    estimated_usage = models.DecimalField(_("utilizzo stimato"), max_digits=14, decimal_places=2)

    # Partner Center, filled by provisioning.
    catalog_item_id = models.CharField(max_length=128, blank=True)
    partner_center_order_id = models.CharField(
        _("id ordine Partner Center"), max_length=64, blank=True
    )
    partner_center_subscription_id = models.CharField(
        _("id sottoscrizione Partner Center"), max_length=64, blank=True
    )
    subscription_status = models.CharField(_("stato sottoscrizione"), max_length=32, blank=True)
    subscription_started_at = models.DateTimeField(_("attiva dal"), null=True, blank=True)

    objects = scoped_queryset_class("order__reseller").as_manager()

    class Meta:
        verbose_name = _("riga dell'ordine")
        verbose_name_plural = _("righe dell'ordine")
        ordering = ["order", "position"]
        constraints = [
            models.UniqueConstraint(fields=["order", "position"], name="orders_line_position"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.sku_title}"

    @property
    def is_addon(self) -> bool:
        return self.base_line_id is not None

    @property
    def term_label(self) -> str:
        return Plan.Term(self.term).label

    @property
    def billing_label(self) -> str:
        return Plan.Billing(self.billing).label

    @property
    def is_subscription_active(self) -> bool:
        return self.subscription_status.lower() == "active"

    @property
    def subscription_status_label(self) -> str:
        """Partner Center's status word («active») in the reader's language; an unknown one as
        Partner Center wrote it."""
        status = self.subscription_status.lower()
        return str(SUBSCRIPTION_STATUS_LABELS.get(status, self.subscription_status))


# The statuses Partner Center gives a subscription (docs: "Subscription resources").
SUBSCRIPTION_STATUS_LABELS = {
    "active": _("attiva"),
    "pending": _("in attesa"),
    "suspended": _("sospesa"),
    "disabled": _("disattivata"),
    "deleted": _("eliminata"),
    "expired": _("scaduta"),
}


class OrderEvent(HistoryEvent):
    """Append-only history of an order: who did what, when, with the facts of it in
    ``parameters``. Written only through orders/events.py (one function per type); its wording,
    for staff and for the reseller, is rendered from type and parameters in
    orders/event_messages.py. Never holds a secret."""

    class Type(models.TextChoices):
        STATUS_CHANGED = "status_changed", _("Cambio di stato")
        STEP_COMPLETED = "step_completed", _("Passo completato")
        RETRY_SCHEDULED = "retry_scheduled", _("Nuovo tentativo programmato")
        STAFF_ACTION = "staff_action", _("Azione dello staff")
        EMAIL_SENT = "email_sent", _("E-mail inviata")

    class Step(models.TextChoices):
        """What a step_completed or email_sent event is about: the reseller's timeline says it."""

        MPN = "mpn", _("MPN ID verificato")
        TENANT_LINKED = "tenant_linked", _("Tenant esistente collegato")
        TENANT_CREATED = "tenant_created", _("Tenant creato")
        RELATIONSHIP = "relationship", _("Relazione di rivenditore accettata")
        AGREEMENT = "agreement", _("Microsoft Customer Agreement confermato")
        CART = "cart", _("Carrello Partner Center creato")
        CART_SUBMITTED = "cart_submitted", _("Ordine inviato a Microsoft")
        ACTIVATION = "activation", _("Sottoscrizioni attive")
        CREDENTIALS_EMAIL = "credentials", _("E-mail delle credenziali inviata")
        SUMMARY_EMAIL = "subscription_summary", _("E-mail di riepilogo inviata")

    class Operation(models.TextChoices):
        """What a retry_scheduled event will do again."""

        PROVISIONING = "provisioning", _("Attivazione")
        RELATIONSHIP_CHECK = "relationship_check", _("Verifica della relazione")
        RESUME = "resume", _("Ripresa dopo un'interruzione")

    class StaffAction(models.TextChoices):
        RESUME = "resume", _("Attivazione ripresa")
        RELATIONSHIP_CHECK = "relationship_check", _("Verifica della relazione richiesta")

    class Actor(models.TextChoices):
        RESELLER = "reseller", _("Rivenditore")
        STAFF = "staff", _("Staff")
        WORKER = "worker", _("Attivazione automatica")
        SYSTEM = "system", _("Sistema")

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")
    type = models.CharField(max_length=24, choices=Type.choices)
    from_status = models.CharField(max_length=24, choices=OrderStatus.choices, blank=True)
    to_status = models.CharField(max_length=24, choices=OrderStatus.choices, blank=True)
    actor = models.CharField(max_length=16, choices=Actor.choices)

    class Meta(HistoryEvent.Meta):
        verbose_name = _("evento dell'ordine")
        verbose_name_plural = _("eventi dell'ordine")
        indexes = [models.Index(fields=["type", "created_at"], name="orders_event_type")]

    def __str__(self) -> str:
        return f"{self.order} · {self.get_type_display()}"
