"""Reads of the mirror: the «Sottoscrizioni» list, a subscription's page, what can be done now and
what a change costs. Nothing here calls Partner Center; every function runs a fixed number of
queries whatever the number of subscriptions.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db.models import Min, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from catalog.models import Plan
from catalog.selectors import months_in_term, plan_reseller_price
from checkout.prorata import line_estimate
from storefront.dates import rome_today
from storefront.models import Reseller
from storefront.money import round_money
from subscriptions import errors
from subscriptions.models import (
    OPEN_CHANGE_STATUSES,
    ChangeRequest,
    Subscription,
    SubscriptionEvent,
)

RENEWAL_SOON_DAYS = 30
LIVE_STATUSES = (Subscription.Status.ACTIVE, Subscription.Status.SUSPENDED)


@dataclass(frozen=True)
class ListFilters:
    customer: int | None = None
    product: str = ""
    status: str = ""
    window_open: bool = False
    renewal_soon: bool = False
    auto_renew_off: bool = False
    query: str = ""

    @property
    def is_filtered(self) -> bool:
        return any(
            (
                self.customer,
                self.product,
                self.status,
                self.window_open,
                self.renewal_soon,
                self.auto_renew_off,
                self.query,
            )
        )


def subscription_list(
    *, subscriptions: QuerySet[Subscription], filters: ListFilters, now: datetime | None = None
) -> QuerySet[Subscription]:
    now = now or timezone.now()
    queryset = subscriptions.select_related("customer")
    if filters.customer:
        queryset = queryset.filter(customer_id=filters.customer)
    if filters.product:
        queryset = queryset.filter(product_id=filters.product)
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.window_open:
        queryset = queryset.filter(cancellation_allowed_until__gt=now, status__in=LIVE_STATUSES)
    if filters.renewal_soon:
        queryset = queryset.filter(
            commitment_end__gte=now,
            commitment_end__lte=now + timedelta(days=RENEWAL_SOON_DAYS),
            status=Subscription.Status.ACTIVE,
            auto_renew_enabled=True,
        )
    if filters.auto_renew_off:
        queryset = queryset.filter(auto_renew_enabled=False, status=Subscription.Status.ACTIVE)
    if filters.query:
        queryset = queryset.filter(
            Q(title__icontains=filters.query)
            | Q(customer__company_name__icontains=filters.query)
            | Q(partner_center_id__iexact=filters.query)
        )
    return queryset.order_by("customer__company_name", "title", "pk")


def subscriptions_with_open_change(*, subscription_ids: list[int]) -> set[int]:
    """Which of these subscriptions (a page's) have a change in progress: one query."""
    return set(
        ChangeRequest.objects.filter(
            subscription_id__in=subscription_ids, status__in=OPEN_CHANGE_STATUSES
        ).values_list("subscription_id", flat=True)
    )


def subscription_filter_choices(*, subscriptions: QuerySet[Subscription]) -> dict:
    """The customers and products the reseller's subscriptions have: two queries."""
    customers = (
        subscriptions.order_by("customer__company_name")
        .values_list("customer_id", "customer__company_name")
        .distinct()
    )
    # One row per product (grouped in the database), whatever the number of subscriptions.
    products = (
        subscriptions.order_by()
        .values("product_id")
        .annotate(title=Min("title"))
        .order_by("title")
        .values_list("product_id", "title")
    )
    return {"customers": list(customers), "products": list(products)}


def subscription_with_history(*, subscriptions: QuerySet[Subscription]) -> QuerySet[Subscription]:
    return subscriptions.select_related(
        "customer", "order", "parent", "reseller", "renewal_plan"
    ).prefetch_related(
        Prefetch("addons", queryset=Subscription.objects.order_by("title", "pk")),
        Prefetch(
            "events",
            queryset=SubscriptionEvent.objects.select_related("change_request").order_by(
                "-created_at", "-pk"
            ),
        ),
        Prefetch(
            "change_requests",
            queryset=ChangeRequest.objects.select_related("user").order_by("-created_at", "-pk"),
        ),
    )


@dataclass(frozen=True)
class RefundBucket:
    quantity: int
    until: datetime


def refund_buckets(
    subscription: Subscription, *, now: datetime | None = None
) -> list[RefundBucket]:
    """The buckets whose deadline has not passed, soonest first."""
    now = now or timezone.now()
    buckets = []
    for bucket in subscription.refund_buckets or []:
        until = parse_datetime(str(bucket.get("until", "")))
        quantity = bucket.get("quantity")
        if until is None or not isinstance(quantity, int) or quantity <= 0 or until <= now:
            continue
        buckets.append(RefundBucket(quantity=quantity, until=until))
    return sorted(buckets, key=lambda bucket: bucket.until)


def removable_seats(subscription: Subscription, *, now: datetime | None = None) -> int:
    return min(
        subscription.refundable_quantity,
        sum(bucket.quantity for bucket in refund_buckets(subscription, now=now)),
    )


def open_change(subscription: Subscription) -> ChangeRequest | None:
    """Uses the prefetched change requests when there are."""
    return next((change for change in subscription.change_requests.all() if change.is_open), None)


@dataclass(frozen=True)
class Action:
    kind: str
    is_allowed: bool
    reason: str = ""
    # The next step offered with a refusal (e.g. renewal planning), an anchor on the page.
    next_step_url: str = ""


def subscription_actions(
    *, subscription: Subscription, has_open_change: bool, now: datetime | None = None
) -> dict[str, Action]:
    """Every action, allowed now or with the reason it is not; the same rules the change
    request service applies before any Partner Center call."""
    now = now or timezone.now()
    kinds = ChangeRequest.Kind
    blocker = _common_blocker(subscription, has_open_change)
    actions = {}
    for kind in kinds.values:
        reason = blocker or _specific_blocker(subscription, kind, now)
        next_step = "#rinnovo" if reason == errors.MESSAGES["800090"] else ""
        actions[kind] = Action(
            kind=kind, is_allowed=not reason, reason=str(reason or ""), next_step_url=next_step
        )
    return actions


def _common_blocker(subscription: Subscription, has_open_change: bool):
    if subscription.vanished_at is not None:
        return _("La sottoscrizione non risulta più in Partner Center: contatta il distributore.")
    if has_open_change:
        return errors.MESSAGES[errors.CHANGE_IN_PROGRESS]
    if subscription.reseller.mpn_status == Reseller.MpnStatus.INVALID:
        # Since December 2025 Microsoft validates the partner of record on every change.
        return errors.MESSAGES["900400"]
    if subscription.status == Subscription.Status.PENDING:
        return errors.MESSAGES["800095"]
    if subscription.status not in LIVE_STATUSES:
        return _("La sottoscrizione è %(status)s: non si può più modificare.") % {
            "status": subscription.get_status_display().lower()
        }
    return None


def _specific_blocker(subscription: Subscription, kind: str, now: datetime):
    kinds = ChangeRequest.Kind
    is_suspended = subscription.status == Subscription.Status.SUSPENDED
    if kind in (kinds.ADD_SEATS, kinds.REMOVE_SEATS) and is_suspended:
        return errors.MESSAGES["800091"]
    if kind == kinds.AUTO_RENEW and is_suspended:
        return errors.MESSAGES[errors.NOT_ACTIVE]
    if kind == kinds.UPGRADE and is_suspended:
        return errors.MESSAGES["2"]
    if kind == kinds.SUSPEND and is_suspended:
        return errors.MESSAGES[errors.ALREADY_SUSPENDED]
    if kind == kinds.REACTIVATE and not is_suspended:
        return errors.MESSAGES[errors.NOT_SUSPENDED]
    if kind == kinds.REMOVE_SEATS:
        if removable_seats(subscription, now=now) == 0:
            return errors.MESSAGES["800090"]
        if subscription.quantity <= 1:
            return _("Resta una sola licenza: per toglierla cancella la sottoscrizione.")
    if kind == kinds.CANCEL:
        until = subscription.cancellation_allowed_until
        if until is None or until <= now:
            return errors.MESSAGES["900117"]
    if kind in (kinds.PLAN_RENEWAL, kinds.REMOVE_PLAN):
        return _plan_blocker(subscription, kind, is_suspended)
    return None


def _plan_blocker(subscription: Subscription, kind: str, is_suspended: bool):
    if is_suspended:
        return _("La sottoscrizione è sospesa: il rinnovo si pianifica dopo la riattivazione.")
    if not subscription.auto_renew_enabled:
        return errors.MESSAGES[errors.PLAN_NEEDS_AUTO_RENEW]
    if kind == ChangeRequest.Kind.REMOVE_PLAN and not subscription.scheduled_next_term:
        return _("Non c'è un piano di rinnovo da rimuovere.")
    return None


# --- What a change costs ---------------------------------------------------------------------


@dataclass(frozen=True)
class ChangePreview:
    """Amounts in EUR excluding VAT; None where the price is not known."""

    unit_price_for_term: Decimal | None
    days_left_in_term: int
    days_in_term: int
    term_amount: Decimal | None  # cost of added seats, or credit of removed ones, to term end
    month_estimate: Decimal | None  # «Utilizzo stimato» of added seats to the end of the month


def change_preview(
    *, subscription: Subscription, seats: int, is_addition: bool, today: date | None = None
) -> ChangePreview:
    """Added seats: today's reseller price, pro-rata by days to the end of the term, and the
    «Utilizzo stimato» to the end of the month. Removed seats or a cancellation: the credit
    estimate at the price the seats were sold for (the order line), pro-rata the same way.
    Rounded once, half up, as every amount of the storefront."""
    today = today or rome_today()
    unit_price = _unit_price(subscription, is_addition=is_addition, today=today)
    start = rome_date(subscription.started_at) or today
    end = rome_date(subscription.commitment_end) or today
    days_in_term = max(1, (end - start).days + 1)
    days_left = max(0, min(days_in_term, (end - today).days + 1))
    if unit_price is None:
        return ChangePreview(None, days_left, days_in_term, None, None)
    term_amount = round_money(unit_price * seats * days_left / days_in_term)
    month_estimate = None
    if is_addition and subscription.term in Plan.Term.values:
        month_estimate = line_estimate(
            unit_price_for_term=unit_price,
            months_in_term=months_in_term(subscription.term),
            quantity=seats,
            today=today,
        )
    return ChangePreview(unit_price, days_left, days_in_term, term_amount, month_estimate)


def rome_date(moment: datetime | None) -> date | None:
    return rome_today(now=moment) if moment else None


def _unit_price(subscription: Subscription, *, is_addition: bool, today: date) -> Decimal | None:
    if not is_addition and subscription.order_line is not None:
        return subscription.order_line.unit_price
    plan = (
        Plan.objects.filter(
            sku__product__product_id=subscription.product_id,
            sku__sku_id=subscription.sku_id,
            term=subscription.term,
            billing=subscription.billing,
        )
        .select_related("sku__product")
        .first()
    )
    if plan is None:
        return None
    price = plan_reseller_price(plan=plan, reseller=subscription.reseller, on_date=today)
    return price.reseller_price if price else None
