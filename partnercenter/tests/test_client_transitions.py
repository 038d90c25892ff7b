"""Contract tests against the sandbox: transition eligibilities, the transition and its events,
the add-on block under each candidate rule, idempotency of the POST, suspension rules."""

import pytest

from partnercenter.errors import PartnerCenterBusinessError
from partnercenter.tests.helpers import cart_line, new_request_id
from partnercenter.tests.test_client_subscriptions import bought, patch

BUSINESS_BASIC = ("CFQ7TTC0LH18", "0001")
BUSINESS_STANDARD = ("CFQ7TTC0LDPB", "0001")
DEFENDER = ("CFQ7TTC0LHSV", "0001")  # add-on of Basic and Standard, not of Premium


def eligibility(client, customer_id, subscription, offer_id):
    items = client.get_transition_eligibilities(customer_id, subscription.id)
    return next(item for item in items if item.offer_id == offer_id)


def transition(client, customer_id, subscription, offer_id, quantity, request_id=None, **extra):
    target = eligibility(client, customer_id, subscription, offer_id)
    return client.create_transition(
        request_id=request_id or new_request_id(),
        customer_id=customer_id,
        subscription=subscription,
        to_catalog_item_id=target.catalog_item_id,
        quantity=quantity,
        **extra,
    )


def test_a_partial_transition_completes_on_a_later_read_and_inherits_the_window(
    pc_client, contoso_id, pc_sandbox
):
    (basic,) = bought(pc_client, contoso_id, cart_line(pc_client, *BUSINESS_BASIC, quantity=10))

    started = transition(pc_client, contoso_id, basic, "CFQ7TTC0LDPB:0001", 4)
    first = pc_client.list_transitions(contoso_id, basic.id, operation_id=started.operation_id)
    (done,) = pc_client.list_transitions(contoso_id, basic.id, operation_id=started.operation_id)

    assert [(e.name, e.status) for e in started.events] == [("Conversion", "Started")]
    assert not first[0].is_completed
    assert done.is_completed and done.to_subscription_id
    assert [(e.name, e.status) for e in done.events][-1] == ("Conversion", "Completed")
    source = pc_client.get_subscription(contoso_id, basic.id)
    target = pc_client.get_subscription(contoso_id, done.to_subscription_id)
    assert (source.quantity, target.quantity, target.offer_id) == (6, 4, "CFQ7TTC0LDPB:0001")
    assert target.commitment_end_date == source.commitment_end_date
    assert target.cancellation_allowed_until == source.cancellation_allowed_until


def test_a_full_transition_leaves_the_source_expired(pc_client, contoso_id, pc_sandbox):
    pc_sandbox.control.set_transition_options(transition_completion_reads=1)
    (basic,) = bought(pc_client, contoso_id, cart_line(pc_client, *BUSINESS_BASIC, quantity=3))

    started = transition(pc_client, contoso_id, basic, "CFQ7TTC0LDPB:0001", 3)
    (done,) = pc_client.list_transitions(contoso_id, basic.id, operation_id=started.operation_id)

    assert done.is_completed
    assert pc_client.get_subscription(contoso_id, basic.id).status == "expired"


@pytest.mark.parametrize(
    ("rule", "premium_blocked", "standard_blocked"),
    [("incompatible", True, False), ("any", True, True), ("none", False, False)],
)
def test_addons_block_by_the_chosen_rule_with_code_6(
    pc_client, contoso_id, pc_sandbox, rule, premium_blocked, standard_blocked
):
    pc_sandbox.control.set_transition_options(addon_rule=rule)
    basic, _defender = sorted(
        bought(
            pc_client,
            contoso_id,
            cart_line(pc_client, *BUSINESS_BASIC, quantity=5),
            cart_line(pc_client, *DEFENDER, quantity=2),
        ),
        key=lambda s: bool(s.parent_subscription_id),
    )

    premium = eligibility(pc_client, contoso_id, basic, "CFQ7TTC0LCHC:0002")
    standard = eligibility(pc_client, contoso_id, basic, "CFQ7TTC0LDPB:0001")

    assert (not premium.is_eligible, not standard.is_eligible) == (
        premium_blocked,
        standard_blocked,
    )
    if premium_blocked:
        assert premium.errors[0].code == "6"
        assert "Defender" in premium.errors[0].description
        with pytest.raises(PartnerCenterBusinessError) as refused:
            transition(pc_client, contoso_id, basic, "CFQ7TTC0LCHC:0002", 1)
        assert (refused.value.http_status, refused.value.code) == (400, "6")
    assert pc_client.get_subscription(contoso_id, basic.id).quantity == 5


def test_the_same_request_id_makes_one_transition(pc_client, contoso_id, pc_sandbox):
    (basic,) = bought(pc_client, contoso_id, cart_line(pc_client, *BUSINESS_BASIC, quantity=10))
    request_id = new_request_id()

    first = transition(pc_client, contoso_id, basic, "CFQ7TTC0LDPB:0001", 5, request_id=request_id)
    again = transition(pc_client, contoso_id, basic, "CFQ7TTC0LDPB:0001", 5, request_id=request_id)

    assert first.operation_id == again.operation_id
    assert len(pc_sandbox.control.transitions()) == 1


def test_a_suspended_subscription_keeps_its_seats_and_cannot_transition(
    pc_client, contoso_id, pc_sandbox
):
    (basic,) = bought(pc_client, contoso_id, cart_line(pc_client, *BUSINESS_BASIC, quantity=5))
    suspended = patch(pc_client, contoso_id, basic, status="suspended").subscription

    with pytest.raises(PartnerCenterBusinessError) as seats:
        patch(pc_client, contoso_id, suspended, quantity=6)
    standard = eligibility(pc_client, contoso_id, suspended, "CFQ7TTC0LDPB:0001")
    active = patch(pc_client, contoso_id, suspended, status="active").subscription

    assert (seats.value.http_status, seats.value.code) == (400, "800091")
    assert (standard.is_eligible, standard.errors[0].code) == (False, "2")
    assert (suspended.status, active.status, active.quantity) == ("suspended", "active", 5)


def test_an_unknown_target_is_refused_with_code_8(pc_client, contoso_id, pc_sandbox):
    (basic,) = bought(pc_client, contoso_id, cart_line(pc_client, *BUSINESS_BASIC, quantity=5))

    with pytest.raises(PartnerCenterBusinessError) as refused:
        pc_client.create_transition(
            request_id=new_request_id(),
            customer_id=contoso_id,
            subscription=basic,
            to_catalog_item_id="CFQ7TTC0LF8S:0001:CFQ7TTC0XXXX",
            quantity=1,
        )

    assert (refused.value.http_status, refused.value.code) == (400, "8")


def test_suspending_drops_the_plan_scheduled_for_the_renewal(
    pc_client, contoso_id, pc_sandbox, partner_center_sandbox_server
):
    """The sandbox keeps a renewal plan in ``next_term``; a suspension removes it, as
    Microsoft documents (the scheduled-changes calls themselves come with renewal planning)."""
    store = partner_center_sandbox_server.app.store
    (basic,) = bought(pc_client, contoso_id, cart_line(pc_client, *BUSINESS_BASIC, quantity=5))
    with store.lock:
        document = store.get("subscription", basic.id)
        document["next_term"] = {"quantity": 3}
        store.put("subscription", basic.id, document)
        store.commit()

    patch(pc_client, contoso_id, basic, status="suspended")

    with store.lock:
        assert store.get("subscription", basic.id)["next_term"] is None
