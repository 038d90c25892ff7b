"""Contract tests against the sandbox: renewal plans (scheduledNextTermInstructions) with their
scheduled transition eligibilities, dropped by a mid-term change or a suspension, applied at
renewal on the business clock; expiry then disabling; both candidates for removing a plan."""

import pytest

from partnercenter.errors import PartnerCenterBusinessError
from partnercenter.tests.helpers import cart_line, new_request_id

BUSINESS_BASIC = ("CFQ7TTC0LH18", "0001")
BUSINESS_STANDARD = ("CFQ7TTC0LDPB", "0001")


def bought(client, customer_id, *lines):
    cart = client.create_cart(request_id=new_request_id(), customer_id=customer_id, lines=lines)
    result = client.checkout_cart(
        request_id=new_request_id(), customer_id=customer_id, cart_id=cart.id
    )
    (subscription,) = client.list_subscriptions_by_order(customer_id, result.orders[0].id)
    return client.get_subscription(customer_id, subscription.id)


def patch(client, customer_id, subscription, **changes):
    update = client.update_subscription(
        request_id=new_request_id(),
        customer_id=customer_id,
        subscription=subscription,
        changes=changes,
    )
    return update.subscription


def plan_to(client, customer_id, subscription, offer, quantity):
    targets = client.get_transition_eligibilities(
        customer_id, subscription.id, eligibility_type="scheduled"
    )
    (target,) = [t for t in targets if t.offer_id == ":".join(offer)]
    instructions = {
        "product": {
            "productId": offer[0],
            "skuId": offer[1],
            "availabilityId": target.availability_id,
            "billingCycle": subscription.billing_cycle,
            "termDuration": subscription.term_duration,
        },
        "quantity": quantity,
    }
    return patch(client, customer_id, subscription, scheduledNextTermInstructions=instructions)


def test_scheduled_eligibilities_name_the_same_sku_and_the_upgrades(pc_client, contoso_id):
    subscription = bought(pc_client, contoso_id, cart_line(pc_client, *BUSINESS_BASIC))

    targets = pc_client.get_transition_eligibilities(
        contoso_id, subscription.id, eligibility_type="scheduled"
    )

    assert [t.offer_id for t in targets] == [
        "CFQ7TTC0LH18:0001",
        "CFQ7TTC0LDPB:0001",
        "CFQ7TTC0LCHC:0002",
    ]
    assert all(t.is_eligible and t.availability_id for t in targets)


def test_a_plan_to_another_sku_is_applied_at_renewal(pc_sandbox, pc_client, contoso_id):
    subscription = bought(pc_client, contoso_id, cart_line(pc_client, *BUSINESS_BASIC, quantity=9))
    planned = plan_to(pc_client, contoso_id, subscription, BUSINESS_STANDARD, 4)
    assert planned.scheduled_next_term["quantity"] == 4

    pc_sandbox.control.advance_clock("P367D")
    renewed = pc_client.get_subscription(contoso_id, subscription.id)

    assert (renewed.offer_id, renewed.quantity, renewed.status) == (
        "CFQ7TTC0LDPB:0001",
        4,
        "active",
    )
    assert renewed.scheduled_next_term is None
    assert renewed.refundable_quantity == 4
    assert renewed.commitment_end_date > subscription.commitment_end_date


def test_a_seat_change_or_a_suspension_drops_the_plan(pc_client, contoso_id):
    subscription = bought(pc_client, contoso_id, cart_line(pc_client, *BUSINESS_BASIC, quantity=9))
    planned = plan_to(pc_client, contoso_id, subscription, BUSINESS_BASIC, 5)

    more = patch(pc_client, contoso_id, planned, quantity=10)
    assert more.scheduled_next_term is None

    planned = plan_to(pc_client, contoso_id, more, BUSINESS_BASIC, 5)
    suspended = patch(pc_client, contoso_id, planned, status="suspended")
    assert suspended.scheduled_next_term is None


def test_a_plan_needs_auto_renew(pc_client, contoso_id):
    subscription = bought(pc_client, contoso_id, cart_line(pc_client, *BUSINESS_BASIC))
    off = patch(pc_client, contoso_id, subscription, autoRenewEnabled=False)

    with pytest.raises(PartnerCenterBusinessError) as refused:
        plan_to(pc_client, contoso_id, off, BUSINESS_BASIC, 2)

    assert refused.value.error_code == "800093"


@pytest.mark.parametrize(
    ("mode", "removing", "refused"),
    [("null", None, {}), ("empty_object", {}, None)],
)
def test_a_plan_is_removed_by_the_candidate_the_switch_picks(
    pc_sandbox, pc_client, contoso_id, mode, removing, refused
):
    pc_sandbox.control.set_subscription_options(schedule_removal=mode)
    subscription = bought(pc_client, contoso_id, cart_line(pc_client, *BUSINESS_BASIC))
    planned = plan_to(pc_client, contoso_id, subscription, BUSINESS_BASIC, 2)

    if mode == "null":
        with pytest.raises(PartnerCenterBusinessError):
            patch(pc_client, contoso_id, planned, scheduledNextTermInstructions=refused)
    else:
        kept = patch(pc_client, contoso_id, planned, scheduledNextTermInstructions=refused)
        assert kept.scheduled_next_term is not None
    planned = pc_client.get_subscription(contoso_id, subscription.id)
    removed = patch(pc_client, contoso_id, planned, scheduledNextTermInstructions=removing)

    assert removed.scheduled_next_term is None


def test_an_expired_subscription_is_disabled_after_30_days(pc_sandbox, pc_client, contoso_id):
    subscription = bought(pc_client, contoso_id, cart_line(pc_client, *BUSINESS_BASIC))
    patch(pc_client, contoso_id, subscription, autoRenewEnabled=False)

    pc_sandbox.control.advance_clock("P367D")
    assert pc_client.get_subscription(contoso_id, subscription.id).status == "expired"
    pc_sandbox.control.advance_clock("P31D")
    assert pc_client.get_subscription(contoso_id, subscription.id).status == "disabled"
