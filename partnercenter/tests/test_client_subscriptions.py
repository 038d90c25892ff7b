"""Contract tests against the sandbox: reading, changing and cancelling subscriptions, the refund
buckets on the business clock, partner-of-record validation, If-Match and 202 + Location."""

import pytest

from partnercenter.errors import PartnerCenterBusinessError
from partnercenter.tests.helpers import cart_line, new_request_id
from partnercenter_sandbox import demo
from tests.fixtures.sandbox import NO_DELAYS

BUSINESS_BASIC = ("CFQ7TTC0LH18", "0001")
EXCHANGE_ARCHIVING = ("CFQ7TTC0LH0Z", "0001")  # add-on of Basic


def bought(client, customer_id, *lines):
    cart = client.create_cart(request_id=new_request_id(), customer_id=customer_id, lines=lines)
    result = client.checkout_cart(
        request_id=new_request_id(), customer_id=customer_id, cart_id=cart.id
    )
    return client.list_subscriptions_by_order(customer_id, result.orders[0].id)


def patch(client, customer_id, subscription, request_id=None, **changes):
    return client.update_subscription(
        request_id=request_id or new_request_id(),
        customer_id=customer_id,
        subscription=subscription,
        changes=changes,
    )


def test_a_new_subscription_has_one_bucket_and_its_window(pc_client, contoso_id):
    (subscription,) = bought(pc_client, contoso_id, cart_line(pc_client, *BUSINESS_BASIC))

    read = pc_client.get_subscription(contoso_id, subscription.id)

    assert (read.quantity, read.refundable_quantity, read.status) == (5, 5, "active")
    assert [bucket.quantity for bucket in read.refund_buckets] == [5]
    assert read.cancellation_allowed_until == read.refund_buckets[0].allowed_until
    assert read.entitlement_id and read.etag
    assert read.contract_type == "subscription"
    assert "cancel" in read.actions
    assert read.raw["links"]["self"]["uri"].endswith(subscription.id)


def test_an_addon_names_its_base_subscription(pc_client, contoso_id):
    base, addon = bought(
        pc_client,
        contoso_id,
        cart_line(pc_client, *BUSINESS_BASIC),
        cart_line(pc_client, *EXCHANGE_ARCHIVING),
    )

    assert (base.parent_subscription_id, addon.parent_subscription_id) == ("", base.id)


def test_list_filters_by_reseller_and_pages_through(pc_sandbox, pc_client, contoso_id):
    pc_sandbox.control.reset(demo_subscriptions=True, delays=NO_DELAYS)
    for _ in range(3):
        bought(pc_client, contoso_id, cart_line(pc_client, *BUSINESS_BASIC, quantity=1))

    everything = pc_client.list_subscriptions(contoso_id)
    ours = pc_client.list_subscriptions(contoso_id, mpn_id=demo.DEMO_RESELLER_MPN_ID)
    first_page = pc_client._get(
        "subscription_list",
        f"/v1/customers/{contoso_id}/subscriptions",
        params={"size": 2, "offset": 0},
    )

    assert len(everything) == 5
    assert len(ours) == 4  # the demo subscription of reseller 2345678 is left out
    assert demo.DEMO_SUBSCRIPTION_IDS[1] not in {s.id for s in ours}
    assert (first_page["totalCount"], len(first_page["items"])) == (5, 2)
    assert "offset=2" in first_page["links"]["next"]["uri"]


def test_adding_seats_opens_a_bucket_and_keeps_the_other_fields(pc_client, contoso_id):
    (subscription,) = bought(pc_client, contoso_id, cart_line(pc_client, *BUSINESS_BASIC))
    subscription = pc_client.get_subscription(contoso_id, subscription.id)

    update = patch(pc_client, contoso_id, subscription, quantity=8)

    assert update.is_accepted_for_later is False
    changed = update.subscription
    assert (changed.quantity, changed.refundable_quantity) == (8, 8)
    assert [bucket.quantity for bucket in changed.refund_buckets] == [5, 3]
    assert changed.auto_renew_enabled is True
    assert changed.etag != subscription.etag


def test_seats_cannot_be_removed_once_the_window_is_over(pc_sandbox, pc_client, contoso_id):
    (subscription,) = bought(pc_client, contoso_id, cart_line(pc_client, *BUSINESS_BASIC))
    subscription = pc_client.get_subscription(contoso_id, subscription.id)
    removed = patch(pc_client, contoso_id, subscription, quantity=4).subscription

    pc_sandbox.control.advance_clock("P8D")
    later = pc_client.get_subscription(contoso_id, subscription.id)
    with pytest.raises(PartnerCenterBusinessError) as refused:
        patch(pc_client, contoso_id, later, quantity=3)
    with pytest.raises(PartnerCenterBusinessError) as cancel_refused:
        patch(pc_client, contoso_id, later, status="deleted")

    assert (removed.quantity, removed.refundable_quantity) == (4, 4)
    assert (later.refundable_quantity, later.cancellation_allowed_until) == (0, None)
    assert (refused.value.http_status, refused.value.code) == (400, "800090")
    assert cancel_refused.value.code == "900117"
    assert pc_client.get_subscription(contoso_id, subscription.id).quantity == 4


def test_the_clock_moves_business_time_only(pc_sandbox, pc_client, contoso_id):
    before = pc_sandbox.control.clock()

    after = pc_sandbox.control.advance_clock("P8DT2H")

    assert after["offset_seconds"] - before["offset_seconds"] == 8 * 86400 + 7200
    # Tokens keep wall time: the client still calls with the token it holds.
    assert pc_client.list_subscriptions(contoso_id) == ()


def test_cancelling_a_base_inside_the_window_ends_deleted_with_its_addons(pc_client, contoso_id):
    base, _addon = bought(
        pc_client,
        contoso_id,
        cart_line(pc_client, *BUSINESS_BASIC),
        cart_line(pc_client, *EXCHANGE_ARCHIVING),
    )

    patch(pc_client, contoso_id, pc_client.get_subscription(contoso_id, base.id), status="deleted")

    statuses = {s.id: s.status for s in pc_client.list_subscriptions(contoso_id)}
    assert set(statuses.values()) == {"deleted"}


@pytest.mark.parametrize(("quantity", "status", "code"), [(301, 400, "2002"), (0, 400, "2002")])
def test_quantities_outside_the_sku_limits_are_refused(
    pc_client, contoso_id, quantity, status, code
):
    (subscription,) = bought(pc_client, contoso_id, cart_line(pc_client, *BUSINESS_BASIC))
    subscription = pc_client.get_subscription(contoso_id, subscription.id)

    with pytest.raises(PartnerCenterBusinessError) as refused:
        patch(pc_client, contoso_id, subscription, quantity=quantity)

    assert (refused.value.http_status, refused.value.code) == (status, code)


def test_seats_over_the_customer_cap_are_refused_with_800088(pc_client, contoso_id):
    first, second = (
        bought(pc_client, contoso_id, cart_line(pc_client, *BUSINESS_BASIC, quantity=150))[0]
        for _ in range(2)
    )

    with pytest.raises(PartnerCenterBusinessError) as refused:
        patch(pc_client, contoso_id, pc_client.get_subscription(contoso_id, first.id), quantity=151)

    assert (refused.value.http_status, refused.value.code) == (403, "800088")
    assert second.quantity == 150


def test_a_stale_etag_is_refused_and_changes_nothing(pc_client, contoso_id):
    (subscription,) = bought(pc_client, contoso_id, cart_line(pc_client, *BUSINESS_BASIC))
    stale = pc_client.get_subscription(contoso_id, subscription.id)
    patch(pc_client, contoso_id, stale, quantity=6)

    with pytest.raises(PartnerCenterBusinessError) as refused:
        patch(pc_client, contoso_id, stale, quantity=9)

    assert refused.value.http_status == 412
    assert pc_client.get_subscription(contoso_id, subscription.id).quantity == 6


def test_a_patch_repeated_with_its_request_id_is_done_once(pc_sandbox, pc_client, contoso_id):
    (subscription,) = bought(pc_client, contoso_id, cart_line(pc_client, *BUSINESS_BASIC))
    subscription = pc_client.get_subscription(contoso_id, subscription.id)
    request_id = new_request_id()

    first = patch(pc_client, contoso_id, subscription, request_id=request_id, quantity=7)
    again = patch(pc_client, contoso_id, subscription, request_id=request_id, quantity=7)

    assert first.subscription.quantity == again.subscription.quantity == 7
    assert len(pc_sandbox.control.subscription_changes()) == 1


def test_in_202_mode_the_change_shows_once_done(pc_sandbox, pc_client, contoso_id):
    pc_sandbox.control.set_subscription_options(patch_mode="202", patch_completion_reads=2)
    (subscription,) = bought(pc_client, contoso_id, cart_line(pc_client, *BUSINESS_BASIC))
    subscription = pc_client.get_subscription(contoso_id, subscription.id)

    update = patch(pc_client, contoso_id, subscription, autoRenewEnabled=False)
    during = pc_client.get_subscription(contoso_id, subscription.id)
    after = pc_client.get_subscription(contoso_id, subscription.id)

    assert update.is_accepted_for_later is True
    assert update.location == f"/customers/{contoso_id}/subscriptions/{subscription.id}"
    assert (during.auto_renew_enabled, after.auto_renew_enabled) == (True, False)


def test_partners_of_record_are_validated(pc_client):
    results = pc_client.validate_resellers([demo.DEMO_RESELLER_MPN_ID, "2345678"])

    assert [(r.partner_id, r.is_valid, r.error_code) for r in results] == [
        (demo.DEMO_RESELLER_MPN_ID, True, ""),
        ("2345678", False, "900400"),
    ]


def test_a_change_for_an_invalid_partner_of_record_is_refused_with_900400(
    pc_sandbox, pc_client, contoso_id
):
    (subscription,) = bought(pc_client, contoso_id, cart_line(pc_client, *BUSINESS_BASIC))
    subscription = pc_client.get_subscription(contoso_id, subscription.id)
    pc_sandbox.control.set_reseller(demo.DEMO_RESELLER_MPN_ID, relationship_state="Inactive")

    with pytest.raises(PartnerCenterBusinessError) as refused:
        patch(pc_client, contoso_id, subscription, quantity=6)

    assert refused.value.code == "900400"


@pytest.mark.parametrize("duration", ["P1M", "8 days", "P", ""])
def test_the_clock_refuses_what_is_not_a_duration_of_days_and_time(pc_sandbox, duration):
    from partnercenter_sandbox.control_client import SandboxControlError

    with pytest.raises(SandboxControlError, match="400"):
        pc_sandbox.control.advance_clock(duration)

    assert pc_sandbox.control.clock()["offset_seconds"] == 0
