"""Reads of orders: the reseller's pages, the live progress, the e-mails' content.

Each function runs a fixed number of queries whatever the number of orders, lines or events.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog.models import Plan
from orders.event_messages import event_reseller_text
from orders.models import (
    WORKING_STATUSES,
    FailureReason,
    Order,
    OrderEvent,
    OrderLine,
    OrderStatus,
)
from partnercenter.services import partner_center_invitation_url

# Where a partner resets a customer's user password (as its delegated administrator).
MICROSOFT_365_ADMIN_CENTER_URL = "https://admin.microsoft.com"

BILLING_TOTAL_LABELS: dict[str, Promise] = {
    Plan.Billing.MONTHLY: gettext_lazy("Totale mensile"),
    Plan.Billing.ANNUAL: gettext_lazy("Totale annuale"),
}
# What the reseller reads for each failure, with the next step; the support contact follows.
FAILURE_MESSAGES: dict[str, Promise] = {
    FailureReason.MPN_INVALID: gettext_lazy(
        "Partner Center non riconosce l'MPN ID %(mpn_id)s come rivenditore indiretto attivo con "
        "il Microsoft Partner Agreement firmato. Verificalo sul sito partner Microsoft e "
        "contatta l'assistenza: riprenderemo l'ordine."
    ),
    FailureReason.RELATIONSHIP_MISSING: gettext_lazy(
        "Il tenant %(tenant)s non ha una relazione di rivenditore con il distributore. "
        "L'amministratore globale del cliente deve accettare l'invito; poi contatta l'assistenza."
    ),
    FailureReason.DOMAIN_TAKEN: gettext_lazy(
        "Il dominio %(tenant)s è già in uso: non è stato possibile creare il nuovo tenant. "
        "Contatta l'assistenza per scegliere un altro Domain Prefix."
    ),
    FailureReason.PARTNER_CENTER_REJECTED: gettext_lazy(
        "Microsoft ha rifiutato l'ordine (codice %(code)s). Il nostro staff è stato avvisato e "
        "ti contatterà."
    ),
    FailureReason.PARTNER_CENTER_UNAVAILABLE: gettext_lazy(
        "Partner Center non ha risposto per troppo tempo. Il nostro staff è stato avvisato e "
        "riprenderà l'ordine: non serve ripeterlo."
    ),
    FailureReason.PARTNER_CENTER_UNAUTHORIZED: gettext_lazy(
        "Un problema di configurazione del distributore ha bloccato l'ordine. Il nostro staff è "
        "stato avvisato: non serve ripeterlo."
    ),
    FailureReason.EMAIL_FAILED: gettext_lazy(
        "Le sottoscrizioni sono state attivate ma non siamo riusciti a inviarti le e-mail. Il "
        "nostro staff è stato avvisato e te le farà avere."
    ),
    FailureReason.RESELLER_INACTIVE: gettext_lazy(
        "L'ordine è stato fermato perché il distributore ha disattivato l'account della tua "
        "azienda. Contatta l'assistenza."
    ),
    FailureReason.CUSTOMER_AGREEMENT_UNAVAILABLE: gettext_lazy(
        "Partner Center non offre ora il Microsoft Customer Agreement che il cliente deve "
        "accettare. Il nostro staff è stato avvisato e riprenderà l'ordine: non serve ripeterlo."
    ),
}

# Keyed by ``is_new_tenant``: only a new tenant's credentials come by e-mail.
WORKING_MESSAGES = {
    True: gettext_lazy(
        "Puoi chiudere questa pagina: al termine riceverai per e-mail le credenziali del nuovo "
        "tenant %(tenant)s e il riepilogo della sottoscrizione."
    ),
    False: gettext_lazy(
        "Puoi chiudere questa pagina: al termine riceverai per e-mail il riepilogo della "
        "sottoscrizione. Il cliente continua a usare le credenziali che ha già."
    ),
}
ACTIVE_MESSAGES = {
    True: gettext_lazy(
        "Le credenziali dell'amministratore del nuovo tenant %(tenant)s e il riepilogo della "
        "sottoscrizione ti sono stati inviati per e-mail."
    ),
    False: gettext_lazy(
        "Il riepilogo della sottoscrizione ti è stato inviato per e-mail. Il cliente continua a "
        "usare le credenziali che ha già per il tenant %(tenant)s."
    ),
}
AWAITING_MESSAGE = gettext_lazy(
    "L'amministratore globale del tenant %(tenant)s deve accettare l'invito a stabilire la "
    "relazione di rivenditore. L'ordine riprenderà da solo appena accettato."
)
CLOSED_MESSAGE = gettext_lazy("Per qualsiasi domanda contatta l'assistenza.")

# --- Reseller pages ----------------------------------------------------------------------------


def order_list(*, orders: QuerySet[Order], status: str = "") -> QuerySet[Order]:
    """The reseller's orders (``orders`` is already scoped), newest first, by status if given."""
    if status in OrderStatus.values:
        orders = orders.filter(status=status)
    return orders.select_related("customer", "user").order_by("-created_at", "-pk")


def order_with_history(*, orders: QuerySet[Order]) -> QuerySet[Order]:
    """Orders with what their detail page shows: customer, lines, events. Three queries."""
    return orders.select_related("customer", "user").prefetch_related(
        Prefetch("lines", queryset=OrderLine.objects.order_by("position")),
        Prefetch("events", queryset=OrderEvent.objects.order_by("created_at", "pk")),
    )


@dataclass(frozen=True)
class TimelineEntry:
    """One event of the order as the reseller reads it (orders/event_messages.py), never in
    the staff's words. ``kind`` is the event's type."""

    created_at: datetime
    kind: str
    actor_label: str
    text: str


def order_timeline(*, order: Order) -> list[TimelineEntry]:
    """The order's events in the reseller's words, oldest first. No query with the events
    prefetched (order_with_history)."""
    return [
        TimelineEntry(
            created_at=event.created_at,
            kind=event.type,
            actor_label=str(event.get_actor_display()),
            text=event_reseller_text(event, order),
        )
        for event in order.events.all()
    ]


@dataclass(frozen=True)
class ProgressStep:
    key: str
    label: str
    state: str  # done, current, waiting, failed, pending


@dataclass(frozen=True)
class OrderProgress:
    """Where the order is, in the reseller's words: the live «L'ordine è completo!» page."""

    status: str
    status_label: str
    headline: str
    page_heading: str
    message: str
    is_final: bool
    is_error: bool
    steps: tuple[ProgressStep, ...]
    invitation_url: str = ""

    def as_json(self) -> dict:
        return {
            "status": self.status,
            "status_label": self.status_label,
            "headline": self.headline,
            "page_heading": self.page_heading,
            "message": self.message,
            "is_final": self.is_final,
            "is_error": self.is_error,
            "steps": [step.__dict__ for step in self.steps],
        }


def order_progress(*, order: Order) -> OrderProgress:
    """The steps done so far and what the reseller should know or do now. No query."""
    is_error = order.status == OrderStatus.FAILED
    return OrderProgress(
        status=order.status,
        status_label=str(order.get_status_display()),
        headline=_headline(order),
        page_heading=_page_heading(order),
        message=_status_message(order),
        is_final=order.is_final or is_error,
        is_error=is_error,
        steps=_progress_steps(order),
        invitation_url=_invitation_url(order)
        if order.status == OrderStatus.AWAITING_RELATIONSHIP
        else "",
    )


def _progress_steps(order: Order) -> tuple[ProgressStep, ...]:
    tenant_label = (
        _("Creazione del tenant %(tenant)s")
        if order.is_new_tenant
        else _("Collegamento al tenant esistente %(tenant)s")
    ) % {"tenant": order.tenant_domain}
    milestones = [
        ("received", _("Ordine ricevuto"), True),
        ("mpn", _("Verifica dell'MPN ID"), order.mpn_validated_at is not None),
        ("tenant", tenant_label, bool(order.partner_center_customer_id)),
        (
            "agreement",
            _("Conferma del Microsoft Customer Agreement"),
            bool(order.agreement_accepted_at),
        ),
        ("order", _("Invio dell'ordine a Microsoft"), order.cart_submitted_at is not None),
        ("activation", _("Attivazione delle sottoscrizioni"), order.activated_at is not None),
        ("emails", _("Invio delle e-mail"), order.status == OrderStatus.ACTIVE),
    ]
    blocked_state = {
        OrderStatus.FAILED: "failed",
        OrderStatus.AWAITING_RELATIONSHIP: "waiting",
        OrderStatus.CANCELLED: "pending",
        OrderStatus.RESOLVED: "pending",
    }.get(OrderStatus(order.status), "current")
    steps, is_first_open = [], True
    for key, label, is_done in milestones:
        state = "done" if is_done else ("pending" if not is_first_open else blocked_state)
        is_first_open = is_first_open and is_done
        steps.append(ProgressStep(key=key, label=label, state=state))
    return tuple(steps)


def _headline(order: Order) -> str:
    return {
        OrderStatus.PLACED: _("L'ordine è completo!"),
        OrderStatus.PROVISIONING: _("L'ordine è completo! Stiamo attivando la sottoscrizione."),
        OrderStatus.AWAITING_RELATIONSHIP: _("L'ordine attende la relazione di rivenditore"),
        OrderStatus.ACTIVE: _("La sottoscrizione è attiva!"),
        OrderStatus.FAILED: _("L'attivazione non è riuscita"),
        OrderStatus.CANCELLED: _("L'ordine è stato annullato"),
        OrderStatus.RESOLVED: _("L'ordine è stato chiuso dal nostro staff"),
    }[OrderStatus(order.status)]


def _page_heading(order: Order) -> str:
    """The page's <h1>: what happened to the order, not the guide's «L'ordine è completo!» for
    every state."""
    return {
        OrderStatus.PLACED: _("L'ordine è completo: attivazione in corso"),
        OrderStatus.PROVISIONING: _("L'ordine è completo: attivazione in corso"),
        OrderStatus.AWAITING_RELATIONSHIP: _("Ordine in attesa della relazione di rivenditore"),
        OrderStatus.ACTIVE: _("L'ordine è completo: sottoscrizione attiva"),
        OrderStatus.FAILED: _("Ordine non riuscito"),
        OrderStatus.CANCELLED: _("Ordine annullato"),
        OrderStatus.RESOLVED: _("Ordine chiuso dal nostro staff"),
    }[OrderStatus(order.status)]


def _status_message(order: Order) -> str:
    if order.status == OrderStatus.FAILED:
        template = FAILURE_MESSAGES.get(
            order.failure_reason, FAILURE_MESSAGES[FailureReason.PARTNER_CENTER_REJECTED]
        )
    elif order.status == OrderStatus.ACTIVE:
        template = ACTIVE_MESSAGES[order.is_new_tenant]
    elif order.status == OrderStatus.AWAITING_RELATIONSHIP:
        template = AWAITING_MESSAGE
    elif order.status in (OrderStatus.CANCELLED, OrderStatus.RESOLVED):
        template = CLOSED_MESSAGE
    else:
        template = WORKING_MESSAGES[order.is_new_tenant]
    values = {"tenant": order.tenant_domain, "mpn_id": order.mpn_id, "code": order.failure_code}
    return str(template) % values


def _invitation_url(order: Order) -> str:
    if not order.reseller_tenant_id:
        return ""
    return partner_center_invitation_url(
        reseller_tenant_id=order.reseller_tenant_id, customer_domain=order.tenant_domain
    )


# --- Ops ---------------------------------------------------------------------------------------


def orders_overdue(*, older_than: timedelta) -> list[Order]:
    """Orders the worker should have looked at more than ``older_than`` ago (sweep_orders)."""
    return list(
        Order.objects.filter(
            status__in=WORKING_STATUSES, attention_due_at__lt=timezone.now() - older_than
        ).order_by("pk")
    )


# --- E-mails -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class OrderTotal:
    label: Promise  # lazy: rendered in the language of the page or e-mail
    net: Decimal
    vat: Decimal | None


def order_totals(*, order: Order) -> list[OrderTotal]:
    totals = []
    for billing, net, vat in (
        (Plan.Billing.MONTHLY, order.monthly_net, order.monthly_vat),
        (Plan.Billing.ANNUAL, order.annual_net, order.annual_vat),
    ):
        if net is not None:
            totals.append(OrderTotal(label=BILLING_TOTAL_LABELS[billing], net=net, vat=vat))
    return totals


def order_email_context(*, order_id: int) -> dict:
    """Everything an e-mail about the order shows; rendered under the recipient's language."""
    order = Order.objects.select_related("customer", "reseller", "user").get(pk=order_id)
    lines = list(OrderLine.objects.filter(order_id=order_id).order_by("position"))
    return {
        "order": order,
        "customer": order.customer,
        "reseller": order.reseller,
        "lines": lines,
        "totals": order_totals(order=order),
        "portal_url": settings.OFFICE_PORTAL_URL,
        "admin_center_url": MICROSOFT_365_ADMIN_CENTER_URL,
        "support_email": settings.SUPPORT_EMAIL,
        "invitation_url": _invitation_url(order),
        # Absolute: a link in an e-mail has no site to be relative to.
        "admin_url": settings.SITE_URL + reverse("admin:orders_order_change", args=[order.pk]),
    }
