"""Calls about what is sold: the catalog, carts and their checkout, subscriptions (read, PATCH,
partner of record) and their upgrades (transitions)."""

import uuid
from collections.abc import Sequence

from partnercenter.client.base import PartnerCenterClientBase, path_segment
from partnercenter.errors import PartnerCenterInvalidResponse
from partnercenter.resources import (
    Availability,
    Cart,
    CartLineRequest,
    CheckoutResult,
    PartnerValidation,
    Product,
    Sku,
    Subscription,
    SubscriptionUpdate,
    Transition,
    TransitionEligibility,
)
from partnercenter.transport import TokenKind

SUBSCRIPTION_PAGE_SIZE = 200
# A runaway "next" link must not keep a sync paging for ever.
MAX_SUBSCRIPTION_PAGES = 500


class CommerceCalls(PartnerCenterClientBase):
    # --- Catalog ---------------------------------------------------------------------------

    def list_products(self, *, country: str = "IT") -> tuple[Product, ...]:
        body = self._get(
            "product_list",
            "/v1/products",
            params={"country": country, "targetView": "OnlineServices"},
        )
        return self._items("product_list", Product.from_json, body)

    def list_skus(self, product_id: str, *, country: str = "IT") -> tuple[Sku, ...]:
        body = self._get(
            "sku_list", f"/v1/products/{path_segment(product_id)}/skus", params={"country": country}
        )
        return self._items("sku_list", Sku.from_json, body)

    def list_availabilities(
        self, product_id: str, sku_id: str, *, country: str = "IT"
    ) -> tuple[Availability, ...]:
        path = f"/v1/products/{path_segment(product_id)}/skus/{path_segment(sku_id)}/availabilities"
        body = self._get("availability_list", path, params={"country": country})
        return self._items("availability_list", Availability.from_json, body)

    # --- Cart, orders, subscriptions -------------------------------------------------------

    def create_cart(
        self, *, request_id: str, customer_id: str, lines: Sequence[CartLineRequest]
    ) -> Cart:
        """A cart comes back created even when some lines carry an ``error``."""
        body = {
            "lineItems": [line.to_json(line_id) for line_id, line in enumerate(lines)],
            "PartnerOnRecordAttestationAccepted": True,
        }
        answer = self._post(
            "cart_create",
            f"/v1/customers/{path_segment(customer_id)}/carts",
            request_id=request_id,
            body=body,
        )
        return self._parse("cart_create", Cart.from_json, answer, is_post=True)

    def checkout_cart(self, *, request_id: str, customer_id: str, cart_id: str) -> CheckoutResult:
        path = f"/v1/customers/{path_segment(customer_id)}/carts/{path_segment(cart_id)}/checkout"
        answer = self._post("cart_checkout", path, request_id=request_id, body=None)
        return self._parse("cart_checkout", CheckoutResult.from_json, answer, is_post=True)

    def list_subscriptions_by_order(
        self, customer_id: str, order_id: str
    ) -> tuple[Subscription, ...]:
        body = self._get(
            "subscription_list",
            f"/v1/customers/{path_segment(customer_id)}/subscriptions",
            params={"order_id": order_id},
        )
        return self._items("subscription_list", Subscription.from_json, body)

    def get_subscription(self, customer_id: str, subscription_id: str) -> Subscription:
        path = self._subscription_path(customer_id, subscription_id)
        return self._parse(
            "subscription_get", Subscription.from_json, self._get("subscription_get", path)
        )

    def list_subscriptions(self, customer_id: str, *, mpn_id: str = "") -> tuple[Subscription, ...]:
        """Every subscription of the customer (only reseller ``mpn_id``'s when given), page by
        page as long as Partner Center gives a ``next`` link."""
        params: dict = {"size": SUBSCRIPTION_PAGE_SIZE, "offset": 0}
        if mpn_id:
            params["mpn_id"] = mpn_id
        path = f"/v1/customers/{path_segment(customer_id)}/subscriptions"
        found: list[Subscription] = []
        for _page in range(MAX_SUBSCRIPTION_PAGES):
            body = self._get("subscription_list", path, params=params)
            found.extend(self._items("subscription_list", Subscription.from_json, body))
            has_next = bool(((body or {}).get("links") or {}).get("next"))
            if not has_next:
                return tuple(found)
            params = {**params, "offset": params["offset"] + SUBSCRIPTION_PAGE_SIZE}
        raise PartnerCenterInvalidResponse("subscription_list: too many pages")

    def update_subscription(
        self,
        *,
        request_id: str,
        customer_id: str,
        subscription: Subscription,
        changes: dict,
    ) -> SubscriptionUpdate:
        """PATCH the whole subscription as read, with ``changes`` (camelCase fields) applied and
        ``If-Match`` its etag: the fields not changed are sent back as they were."""
        path = self._subscription_path(customer_id, subscription.id)
        response = self._transport.request(
            operation="subscription_update",
            method="PATCH",
            path=path,
            token_kind=TokenKind.APP,
            json_body={**subscription.raw, **changes},
            request_id=request_id,
            headers={"If-Match": subscription.etag} if subscription.etag else None,
        )
        if response.status == 202:
            location = (response.headers or {}).get("location", "")
            return SubscriptionUpdate(
                is_accepted_for_later=True, subscription=None, location=location
            )
        updated = self._parse(
            "subscription_update", Subscription.from_json, response.body, is_post=True
        )
        return SubscriptionUpdate(is_accepted_for_later=False, subscription=updated)

    def validate_resellers(self, partner_ids: Sequence[str]) -> tuple[PartnerValidation, ...]:
        """Whether each PLA / MPN ID is valid as partner of record (POST, but changes nothing:
        a fresh MS-RequestId each time)."""
        body = self._post(
            "reseller_validation",
            "/v1/partners/validateresellers",
            request_id=str(uuid.uuid4()),
            body={"partnerIds": list(partner_ids)},
        )
        return self._parse(
            "reseller_validation",
            lambda data: tuple(
                PartnerValidation.from_json(item) for item in data["validationResults"]
            ),
            body,
        )

    # --- Upgrades (transitions) ------------------------------------------------------------

    def _subscription_path(self, customer_id: str, subscription_id: str) -> str:
        customer, subscription = path_segment(customer_id), path_segment(subscription_id)
        return f"/v1/customers/{customer}/subscriptions/{subscription}"

    def get_transition_eligibilities(
        self, customer_id: str, subscription_id: str, *, eligibility_type: str = "immediate"
    ) -> tuple[TransitionEligibility, ...]:
        """The offers the subscription can move to, now (``immediate``) or at renewal."""
        body = self._get(
            "transition_eligibilities",
            self._subscription_path(customer_id, subscription_id) + "/transitionEligibilities",
            params={"eligibilityType": eligibility_type},
        )
        return self._items("transition_eligibilities", TransitionEligibility.from_json, body)

    def create_transition(
        self,
        *,
        request_id: str,
        customer_id: str,
        subscription: Subscription,
        to_catalog_item_id: str,
        quantity: int,
        to_subscription_id: str = "",
    ) -> Transition:
        """POST …/transitions: ``quantity`` seats (all of them: a full upgrade) move to the
        target offer, into a new subscription or ``to_subscription_id``; asynchronous, follow it
        with ``list_transitions``."""
        body = {
            "fromCatalogItemId": subscription.offer_id,
            "fromSubscriptionId": subscription.id,
            "toCatalogItemId": to_catalog_item_id,
            "quantity": quantity,
            "termDuration": subscription.term_duration,
            "billingCycle": subscription.billing_cycle,
            "transitionType": "transition_only",
        }
        if to_subscription_id:
            body["toSubscriptionId"] = to_subscription_id
        answer = self._post(
            "transition_create",
            self._subscription_path(customer_id, subscription.id) + "/transitions",
            request_id=request_id,
            body=body,
        )
        return self._parse("transition_create", Transition.from_json, answer, is_post=True)

    def list_transitions(
        self, customer_id: str, subscription_id: str, *, operation_id: str = ""
    ) -> tuple[Transition, ...]:
        body = self._get(
            "transition_list",
            self._subscription_path(customer_id, subscription_id) + "/transitions",
            params={"operationId": operation_id} if operation_id else None,
        )

        def parse(data):
            items = data.get("transition") if "transition" in data else data["items"]
            return tuple(Transition.from_json(item) for item in items)

        return self._parse("transition_list", parse, body)
