"""Renewal plans and what happens at term end.

A plan (``scheduledNextTermInstructions``: quantity, term, billing, SKU for the next term) is a
change request like the others (``plan_renewal``, ``remove_plan``), run by the same worker
(services/changes.py calls back here for the PATCH body and for "done already"). The reseller's
wish is kept in ``RenewalPlan`` once Partner Center confirmed it: any mid-term change or a
suspension makes Partner Center drop its copy (docs/partner-center.md#subscriptions), and
``renewal_plan_reapply_if_dropped`` then sets it again, with a timeline entry saying so.

At term end the mirror sees a renewal (a later commitment end, a new 7-day window, the plan
applied: the plan is then spent) or an expiry / disabling; ``subscription_record_lifecycle``
writes them on the timeline.

How Partner Center removes a plan is unconfirmed (``null`` or ``{}``): the storefront sends
``null`` and, if the plan is still there, ``{}``.
"""

import json
import logging
import uuid
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from subscriptions import errors
from subscriptions.errors import ChangeRefused
from subscriptions.models import (
    OPEN_CHANGE_STATUSES,
    ChangeRequest,
    RenewalPlan,
    Subscription,
    SubscriptionEvent,
    next_term_label,
)

logger = logging.getLogger(__name__)

PLAN_KINDS = frozenset({ChangeRequest.Kind.PLAN_RENEWAL, ChangeRequest.Kind.REMOVE_PLAN})
# The facts of a plan that Partner Center holds (the availability and title are ours to add).
PLAN_FIELDS = ("product_id", "sku_id", "term", "billing", "quantity")


def same_plan(wanted: dict | None, held: dict | None) -> bool:
    if not wanted or not held:
        return not wanted and not held
    return all(
        str(wanted.get(name, "")).lower() == str(held.get(name, "")).lower() for name in PLAN_FIELDS
    )


def is_valid_plan(next_term: dict | None) -> bool:
    if not isinstance(next_term, dict):
        return False
    quantity = next_term.get("quantity")
    return (
        all(isinstance(next_term.get(name), str) and next_term[name] for name in PLAN_FIELDS[:4])
        and isinstance(quantity, int)
        and 1 <= quantity <= 10_000
    )


# --- The run of a plan change (called by services/changes.py) ------------------------------


def plan_is_done(change: ChangeRequest, remote) -> bool:
    if change.kind == ChangeRequest.Kind.REMOVE_PLAN:
        return remote.scheduled_next_term is None
    return same_plan(change.next_term, remote.scheduled_next_term)


def plan_advance(change: ChangeRequest, client, subscription: Subscription, remote):
    """PATCH the plan (or its removal); the seconds to wait after a 202, None when done."""
    from subscriptions.services.change_steps import _complete, _patch, _poll_accepted

    if change.accepted_location:
        return _poll_accepted(change)
    status = remote.status.lower()
    if status != "active":
        raise ChangeRefused("800091" if status == "suspended" else errors.NOT_ACTIVE)
    if change.kind == ChangeRequest.Kind.REMOVE_PLAN:
        return _remove_plan(change, client, subscription, remote)
    if not remote.auto_renew_enabled:
        raise ChangeRefused(errors.PLAN_NEEDS_AUTO_RENEW)
    instructions = _instructions(change, client, subscription)
    wait = _patch(
        change,
        client,
        subscription,
        remote,
        {"scheduledNextTermInstructions": instructions},
        complete=False,
    )
    if wait is None:
        _complete(change)
    return wait


def _remove_plan(change: ChangeRequest, client, subscription: Subscription, remote):
    """``null`` first; if Partner Center still shows the plan, ``{}`` (the two candidates)."""
    from subscriptions.services.change_steps import _complete, _patch

    body: dict | None
    for body in (None, {}):
        wait = _patch(
            change,
            client,
            subscription,
            remote,
            {"scheduledNextTermInstructions": body},
            complete=False,
        )
        if wait is not None:
            return wait
        subscription.refresh_from_db()
        if subscription.scheduled_next_term is None:
            _complete(change)
            return None
        remote = client.get_subscription(
            subscription.partner_center_customer_id, subscription.partner_center_id
        )
    raise ChangeRefused(errors.PLAN_NOT_REMOVED, "null and {} both left the plan in place")


def _instructions(change: ChangeRequest, client, subscription: Subscription) -> dict:
    """scheduledNextTermInstructions for the plan, its target checked among the scheduled
    transition eligibilities (which also give the availability to name)."""
    plan = change.next_term or {}
    offer_id = f"{plan.get('product_id')}:{plan.get('sku_id')}"
    targets = client.get_transition_eligibilities(
        subscription.partner_center_customer_id,
        subscription.partner_center_id,
        eligibility_type="scheduled",
    )
    target = next((t for t in targets if t.offer_id == offer_id and t.is_eligible), None)
    if target is None:
        raise ChangeRefused(errors.PLAN_NOT_ELIGIBLE, f"{offer_id} not among scheduled targets")
    return {
        "product": {
            "productId": plan["product_id"],
            "skuId": plan["sku_id"],
            "availabilityId": target.availability_id,
            "billingCycle": plan["billing"],
            "termDuration": plan["term"],
        },
        "quantity": plan["quantity"],
    }


# --- After a change completed: keep the plan, or set it again -----------------------------


def renewal_plan_after_change(change: ChangeRequest) -> None:
    """A plan confirmed is kept (a removal forgets it); any other change may have made Partner
    Center drop the plan: set it again."""
    subscription = Subscription.objects.get(pk=change.subscription_id)
    if change.kind == ChangeRequest.Kind.PLAN_RENEWAL:
        RenewalPlan.objects.update_or_create(
            subscription=subscription,
            defaults={
                "user_id": change.user_id,
                "next_term": change.next_term,
                "term_end": subscription.commitment_end,
            },
        )
    elif change.kind == ChangeRequest.Kind.REMOVE_PLAN:
        RenewalPlan.objects.filter(subscription=subscription).delete()
    else:
        renewal_plan_reapply_if_dropped(subscription=subscription)


def renewal_plan_reapply_if_dropped(*, subscription: Subscription) -> ChangeRequest | None:
    """The reseller's plan for this term, when Partner Center no longer holds it, as a new
    change request (the timeline says why); None when nothing is to do."""
    plan = RenewalPlan.objects.filter(subscription=subscription).first()
    if (
        plan is None
        or subscription.status != Subscription.Status.ACTIVE
        or not subscription.auto_renew_enabled
        or subscription.vanished_at is not None
        or plan.term_end != subscription.commitment_end
        or same_plan(plan.next_term, subscription.scheduled_next_term)
    ):
        return None
    changes = ChangeRequest.objects.filter(subscription=subscription)
    if changes.filter(status__in=OPEN_CHANGE_STATUSES).exists():
        return None  # its completion looks again
    last_plan = changes.filter(kind=ChangeRequest.Kind.PLAN_RENEWAL).order_by("-pk").first()
    if last_plan is not None and last_plan.status == ChangeRequest.Status.FAILED:
        return None  # refused once: the reseller was told, no loop of refusals
    return _reapply(subscription, plan)


def _reapply(subscription: Subscription, plan: RenewalPlan) -> ChangeRequest | None:
    from django.db import IntegrityError
    from django.utils import timezone

    from subscriptions.events import event_plan_reapplied
    from subscriptions.services.status import change_request_enqueue

    try:
        with transaction.atomic():
            change = ChangeRequest.objects.create(
                subscription=subscription,
                user_id=plan.user_id,
                kind=ChangeRequest.Kind.PLAN_RENEWAL,
                next_term=plan.next_term,
                idempotency_key=uuid.uuid4(),
                attention_due_at=timezone.now(),
            )
            event_plan_reapplied(change_request=change)
            SubscriptionEvent.objects.create(
                subscription=subscription,
                kind=SubscriptionEvent.Kind.PLAN_REAPPLIED,
                summary=json.dumps(plan.next_term)[:255],
            )
            change_request_enqueue(change_request_id=change.pk)
    except IntegrityError:
        return None  # another change opened meanwhile: its completion looks again
    logger.info("subscription %s: renewal plan re-applied (%s)", subscription.pk, change.pk)
    return change


# --- Term end: renewed, expired, disabled -------------------------------------------------


@dataclass(frozen=True)
class LifecycleFacts:
    status: str
    commitment_end: datetime | None

    @classmethod
    def of(cls, subscription: Subscription) -> "LifecycleFacts":
        return cls(status=subscription.status, commitment_end=subscription.commitment_end)


def subscription_record_lifecycle(*, subscription: Subscription, before: LifecycleFacts) -> None:
    """Timeline rows for a renewal, an expiry or a disabling the mirror just learned of; a
    renewal spends the plan. Then the plan is set again if Partner Center dropped it."""
    kinds = SubscriptionEvent.Kind
    status = subscription.status
    renewed = (
        before.commitment_end is not None
        and subscription.commitment_end is not None
        and subscription.commitment_end > before.commitment_end
        and status == Subscription.Status.ACTIVE
    )
    facts = {
        "quantity": subscription.quantity,
        "end": _iso(subscription.commitment_end),
        "until": _iso(subscription.cancellation_allowed_until),
        "previous_end": _iso(before.commitment_end),
    }
    if renewed:
        _event(subscription, kinds.RENEWED, facts)
        RenewalPlan.objects.filter(subscription=subscription).delete()
    elif status != before.status and status in (kinds.EXPIRED, kinds.DISABLED):
        _event(subscription, kinds(status), facts)
        RenewalPlan.objects.filter(subscription=subscription).delete()
    else:
        renewal_plan_reapply_if_dropped(subscription=subscription)


def _iso(moment: datetime | None) -> str:
    return moment.isoformat() if moment else ""


def _event(subscription: Subscription, kind: str, facts: dict) -> None:
    SubscriptionEvent.objects.create(
        subscription=subscription, kind=kind, summary=json.dumps(facts)[:255]
    )


def renewal_event_summary(event: SubscriptionEvent) -> str:
    """The timeline's words for a renewal event, in the reader's language."""
    from django.utils.dateparse import parse_datetime
    from django.utils.formats import date_format
    from django.utils.timezone import localtime

    try:
        facts = json.loads(event.summary or "{}")
    except ValueError:
        return ""

    def when(name: str) -> str:
        moment = parse_datetime(facts.get(name) or "")
        return date_format(localtime(moment), "SHORT_DATETIME_FORMAT") if moment else "—"

    kinds = SubscriptionEvent.Kind
    if event.kind == kinds.PLAN_REAPPLIED:
        return _(
            "Partner Center ha rimosso il piano di rinnovo dopo una modifica a metà periodo; "
            "lo abbiamo riapplicato (%(plan)s)."
        ) % {"plan": next_term_label(facts)}
    if event.kind == kinds.RENEWED:
        return _(
            "%(quantity)s licenze fino al %(end)s; finestra di cancellazione aperta fino al "
            "%(until)s."
        ) % {"quantity": facts.get("quantity", "—"), "end": when("end"), "until": when("until")}
    if event.kind == kinds.EXPIRED:
        return _(
            "Rinnovo automatico disattivato: il cliente ha 30 giorni di accesso, poi la "
            "sottoscrizione viene disattivata."
        )
    return _("Il cliente non ha più accesso ai servizi della sottoscrizione.")
