"""The Partner Center client: one typed method per call (docs/partner-center.md#calls-used).

Every POST takes the caller's ``request_id`` (MS-RequestId, the idempotency key stored before the
call); GETs get a fresh one. Which calls need app+user tokens follows Partner Center's reference
(docs/partner-center.md#authentication): creating a customer, the MCA, reseller and MPN checks,
relationship lists.
"""

import json
import uuid
from collections.abc import Callable, Sequence
from datetime import datetime
from urllib.parse import quote

from partnercenter.errors import (
    PartnerCenterBusinessError,
    PartnerCenterInvalidResponse,
    PartnerCenterNoCustomerAgreementTemplate,
    PartnerCenterNotFound,
)
from partnercenter.resources import (
    AgreementContact,
    AgreementStatus,
    AgreementTemplate,
    Availability,
    Cart,
    CartLineRequest,
    CheckoutResult,
    CreatedCustomer,
    CustomerAgreement,
    CustomerSummary,
    IndirectReseller,
    NewCustomer,
    Order,
    PartnerValidation,
    Product,
    Sku,
    Subscription,
    SubscriptionUpdate,
    Transition,
    TransitionEligibility,
)
from partnercenter.transport import (
    CallBudget,
    CallRecord,
    PartnerCenterTransport,
    TokenKind,
    TokenProvider,
)

ONMICROSOFT_SUFFIX = ".onmicrosoft.com"
MICROSOFT_CUSTOMER_AGREEMENT = "MicrosoftCustomerAgreement"
MCA_ALREADY_ACCEPTED_CODE = "600061"
SUBSCRIPTION_PAGE_SIZE = 200
# A runaway "next" link must not keep a sync paging for ever.
MAX_SUBSCRIPTION_PAGES = 500


def _segment(value: str) -> str:
    return quote(value, safe="")


class PartnerCenterClient:
    def __init__(
        self,
        *,
        base_url: str,
        token_provider: TokenProvider,
        connect_timeout: float,
        read_timeout: float,
        ca_bundle: str = "",
        on_call: Callable[[CallRecord], None] | None = None,
        budget: CallBudget | None = None,
    ) -> None:
        self._transport = PartnerCenterTransport(
            base_url=base_url,
            token_provider=token_provider,
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
            ca_bundle=ca_bundle,
            on_call=on_call,
            budget=budget,
        )

    @property
    def base_url(self) -> str:
        return self._transport.base_url

    def close(self) -> None:
        self._transport.close()

    def __enter__(self) -> "PartnerCenterClient":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def _get(self, operation: str, path: str, *, token_kind=TokenKind.APP, params=None):
        return self._transport.request(
            operation=operation, method="GET", path=path, token_kind=token_kind, params=params
        ).body

    def _post(self, operation: str, path: str, *, request_id: str, body, token_kind=TokenKind.APP):
        return self._transport.request(
            operation=operation,
            method="POST",
            path=path,
            token_kind=token_kind,
            json_body=body,
            request_id=request_id,
        ).body

    @staticmethod
    def _parse(operation: str, parse, body, *, is_post: bool = False):
        """Read a 2xx body; a POST's unreadable answer leaves its outcome unknown."""
        try:
            return parse(body)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise PartnerCenterInvalidResponse(
                f"{operation}: unexpected answer ({type(exc).__name__}: {exc})",
                outcome_unknown=is_post,
            ) from exc

    def _items(self, operation: str, parse, body) -> tuple:
        return self._parse(
            operation, lambda data: tuple(parse(item) for item in data["items"]), body
        )

    # --- Tenants and customers -------------------------------------------------------------

    def is_domain_taken(self, domain_prefix: str) -> bool:
        """HEAD /v1/domains/{prefix}.onmicrosoft.com: 200 taken, 404 free."""
        path = f"/v1/domains/{_segment(domain_prefix + ONMICROSOFT_SUFFIX)}"
        try:
            self._transport.request(
                operation="domain_check", method="HEAD", path=path, token_kind=TokenKind.APP
            )
        except PartnerCenterNotFound:
            return False
        return True

    def find_customers_by_domain(
        self, domain: str, *, size: int = 10
    ) -> tuple[CustomerSummary, ...]:
        """The distributor's customers whose domain starts with ``domain``.

        An existing tenant appears here only once it accepted the reseller relationship.
        """
        search = {"Field": "Domain", "Value": domain, "Operator": "starts_with"}
        body = self._get(
            "customer_search",
            "/v1/customers",
            params={"size": size, "filter": json.dumps(search, separators=(",", ":"))},
        )
        return self._items("customer_search", CustomerSummary.from_json, body)

    def get_relationship_request_url(self) -> str:
        """The distributor's reseller-relationship invitation link."""
        body = self._get(
            "relationship_request",
            "/v1/customers/relationshiprequests",
            token_kind=TokenKind.APP_USER,
        )
        return self._parse("relationship_request", lambda data: str(data["url"]), body)

    def create_customer(self, *, request_id: str, new_customer: NewCustomer) -> CreatedCustomer:
        """POST /v1/customers: a new tenant; its admin credentials come back only here."""
        body = self._post(
            "customer_create",
            "/v1/customers",
            request_id=request_id,
            body=new_customer.to_json(),
            token_kind=TokenKind.APP_USER,
        )
        return self._parse("customer_create", CreatedCustomer.from_json, body, is_post=True)

    # --- Indirect resellers and MPN IDs ----------------------------------------------------

    def list_indirect_resellers(self) -> tuple[IndirectReseller, ...]:
        body = self._get(
            "reseller_list",
            "/v1/relationships",
            token_kind=TokenKind.APP_USER,
            params={"relationship_type": "IsIndirectCloudSolutionProviderOf"},
        )
        return self._items("reseller_list", IndirectReseller.from_json, body)

    def get_agreement_status(self, mpn_id: str = "", *, tenant_id: str = "") -> AgreementStatus:
        """MPA status of a reseller, by its MPN ID or its tenant id (exactly one); refusals
        (2200 invalid, 2201 region, 2203 unsigned, 2204 not a reseller, 2205 unknown tenant,
        2206 tenant not signed) are PartnerCenterBusinessError."""
        if bool(mpn_id) == bool(tenant_id):
            raise ValueError("give either mpn_id or tenant_id")
        params = {"mpnId": mpn_id} if mpn_id else {"tenantId": tenant_id}
        body = self._get(
            "mpn_agreement_status",
            "/v1/compliance/csp/agreementstatus",
            token_kind=TokenKind.APP_USER,
            params=params,
        )
        return self._parse(
            "mpn_agreement_status",
            lambda data: AgreementStatus(
                mpn_id=mpn_id,
                tenant_id=tenant_id,
                is_agreement_signed=bool(data["isAgreementSigned"]),
            ),
            body,
        )

    # --- Microsoft Customer Agreement ------------------------------------------------------

    def get_customer_agreement_template(self) -> AgreementTemplate:
        body = self._get(
            "mca_template",
            "/v1/agreements",
            token_kind=TokenKind.APP_USER,
            params={"agreementType": MICROSOFT_CUSTOMER_AGREEMENT},
        )
        templates = self._items("mca_template", AgreementTemplate.from_json, body)
        # The query names the type, but the answer is what counts: an item of another type
        # (the legacy Microsoft Cloud Agreement is the default) must never stand in for the MCA.
        for template in templates:
            if template.agreement_type.lower() == MICROSOFT_CUSTOMER_AGREEMENT.lower():
                return template
        found = tuple(template.agreement_type for template in templates)
        raise PartnerCenterNoCustomerAgreementTemplate(
            f"mca_template: no {MICROSOFT_CUSTOMER_AGREEMENT} template in the answer "
            f"(found: {', '.join(found) or 'none'})",
            agreement_types_found=found,
        )

    def accept_customer_agreement(
        self,
        *,
        request_id: str,
        customer_id: str,
        template_id: str,
        contact: AgreementContact,
        date_agreed: datetime,
    ) -> CustomerAgreement:
        """Confirm the customer's MCA acceptance; 600061 (same data already) counts as done."""
        agreement = {
            "primaryContact": contact.to_json(),
            "templateId": template_id,
            "dateAgreed": date_agreed.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
            "type": MICROSOFT_CUSTOMER_AGREEMENT,
        }
        try:
            self._post(
                "mca_accept",
                f"/v1/customers/{_segment(customer_id)}/agreements",
                request_id=request_id,
                body=agreement,
                token_kind=TokenKind.APP_USER,
            )
        except PartnerCenterBusinessError as exc:
            if exc.code != MCA_ALREADY_ACCEPTED_CODE:
                raise
            return CustomerAgreement(
                customer_id=customer_id, template_id=template_id, was_already_accepted=True
            )
        return CustomerAgreement(
            customer_id=customer_id, template_id=template_id, was_already_accepted=False
        )

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
            "sku_list", f"/v1/products/{_segment(product_id)}/skus", params={"country": country}
        )
        return self._items("sku_list", Sku.from_json, body)

    def list_availabilities(
        self, product_id: str, sku_id: str, *, country: str = "IT"
    ) -> tuple[Availability, ...]:
        path = f"/v1/products/{_segment(product_id)}/skus/{_segment(sku_id)}/availabilities"
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
            f"/v1/customers/{_segment(customer_id)}/carts",
            request_id=request_id,
            body=body,
        )
        return self._parse("cart_create", Cart.from_json, answer, is_post=True)

    def checkout_cart(self, *, request_id: str, customer_id: str, cart_id: str) -> CheckoutResult:
        path = f"/v1/customers/{_segment(customer_id)}/carts/{_segment(cart_id)}/checkout"
        answer = self._post("cart_checkout", path, request_id=request_id, body=None)
        return self._parse("cart_checkout", CheckoutResult.from_json, answer, is_post=True)

    def get_order(self, customer_id: str, order_id: str) -> Order:
        """A just placed order may be PartnerCenterNotFound (code 20000) for a while."""
        path = f"/v1/customers/{_segment(customer_id)}/orders/{_segment(order_id)}"
        return self._parse("order_get", Order.from_json, self._get("order_get", path))

    def list_subscriptions_by_order(
        self, customer_id: str, order_id: str
    ) -> tuple[Subscription, ...]:
        body = self._get(
            "subscription_list",
            f"/v1/customers/{_segment(customer_id)}/subscriptions",
            params={"order_id": order_id},
        )
        return self._items("subscription_list", Subscription.from_json, body)

    def get_subscription(self, customer_id: str, subscription_id: str) -> Subscription:
        path = f"/v1/customers/{_segment(customer_id)}/subscriptions/{_segment(subscription_id)}"
        return self._parse(
            "subscription_get", Subscription.from_json, self._get("subscription_get", path)
        )

    def list_subscriptions(self, customer_id: str, *, mpn_id: str = "") -> tuple[Subscription, ...]:
        """Every subscription of the customer (only reseller ``mpn_id``'s when given), page by
        page as long as Partner Center gives a ``next`` link."""
        params: dict = {"size": SUBSCRIPTION_PAGE_SIZE, "offset": 0}
        if mpn_id:
            params["mpn_id"] = mpn_id
        path = f"/v1/customers/{_segment(customer_id)}/subscriptions"
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
        path = f"/v1/customers/{_segment(customer_id)}/subscriptions/{_segment(subscription.id)}"
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
        return f"/v1/customers/{_segment(customer_id)}/subscriptions/{_segment(subscription_id)}"

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
