"""Orders as the storefront places them: a real cart of sandbox SKUs, a customer, order_place.

The SKUs carry the Partner Center ids of the sandbox catalog (partnercenter_sandbox/catalog.json),
so that orders built here can be provisioned against ``pc_sandbox``. Resellers buy at cost
(markup 0 %) with the sandbox's valid MPN ID and tenant id, as the wizard would leave them.
"""

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

from django.utils import timezone

from catalog.models import Plan, Product, Sku
from catalog.tests.factories import PriceFactory
from checkout.services import cart_add_plan, cart_checkout_start
from checkout.tests.factories import TermsVersionFactory
from orders.models import Order, OrderStatus
from orders.services import order_place
from storefront.crypto import encrypt_text
from storefront.models import Reseller
from storefront.tests.factories import ResellerFactory, UserFactory
from tenants.models import Customer
from tenants.tests.factories import (
    CONTOSO_CUSTOMER_ID,
    CONTOSO_NAME,
    CONTOSO_PREFIX,
    FABRIKAM_NAME,
    FABRIKAM_PREFIX,
    VALID_MPN_ID,
    VALID_RESELLER_TENANT_ID,
    CustomerFactory,
)

BUSINESS_STANDARD = ("CFQ7TTC0LDPB", "0001", "Microsoft 365 Business Standard", "140.40")
BUSINESS_BASIC = ("CFQ7TTC0LH18", "0001", "Microsoft 365 Business Basic", "64.80")
ARCHIVING = ("CFQ7TTC0LH0Z", "0001", "Exchange Online Archiving for Exchange Online", "36.00")


def sandbox_plan(
    offer: tuple[str, str, str, str],
    *,
    term: str = Plan.Term.P1Y,
    billing: str = Plan.Billing.MONTHLY,
    prerequisite: Plan | None = None,
) -> Plan:
    """A plan of a sandbox SKU on sale since 2020 at the offer's price (whole term, EUR)."""
    product_id, sku_id, title, price = offer
    product, _ = Product.objects.get_or_create(
        product_id=product_id, defaults={"title": title, "family": "Microsoft 365"}
    )
    sku, _ = Sku.objects.get_or_create(
        product=product, sku_id=sku_id, defaults={"title": title, "is_addon": bool(prerequisite)}
    )
    if prerequisite is not None:
        sku.prerequisites.add(prerequisite.sku)
    plan, created = Plan.objects.get_or_create(sku=sku, term=term, billing=billing)
    if created:
        PriceFactory(plan=plan, cost_price=Decimal(price), effective_start=date(2020, 1, 1))
    return plan


def order_user(*, mpn_id: str = VALID_MPN_ID, **user_fields):
    """A reseller user as after a validated MPN ID: the sandbox's valid reseller, at cost.

    An MPN ID and a Partner Center tenant belong to one reseller (unique constraints): another
    reseller in the same test gets its own, unknown to the sandbox.
    """
    is_taken = Reseller.objects.filter(mpn_id=mpn_id).exists()
    reseller = ResellerFactory(
        **({} if is_taken else {"mpn_id": mpn_id}),
        partner_center_tenant_id=uuid.uuid4() if is_taken else VALID_RESELLER_TENANT_ID,
        markup_percent_override=Decimal("0"),
        notification_email="ordini@rivenditore.example",
    )
    return UserFactory(reseller=reseller, **user_fields)


def checked_out_cart(*, user, quantity: int = 5, addon_quantity: int | None = None):
    """The user's cart with Business Standard (and Archiving as add-on), «Checkout >>» done."""
    base = sandbox_plan(BUSINESS_STANDARD)
    addons = {}
    if addon_quantity is not None:
        addons[sandbox_plan(ARCHIVING, prerequisite=base).pk] = addon_quantity
    cart_add_plan(user=user, plan_id=base.pk, quantity=quantity, addon_quantities=addons)
    return cart_checkout_start(
        user=user,
        terms_accepted=True,
        terms_version_id=TermsVersionFactory().pk,
        purchase_type="resale",
        ip_address="127.0.0.1",
    )


def new_tenant_customer(*, reseller, prefix: str = "nuovaimpresa2026") -> Customer:
    """A customer for a new tenant (a prefix free in the sandbox); the reseller's, if it has it."""
    existing = Customer.objects.filter(reseller=reseller, tenant_domain_prefix=prefix).first()
    if existing is not None:
        return existing
    return CustomerFactory(
        reseller=reseller,
        company_name="Nuova Impresa S.r.l.",
        tenant_domain_prefix=prefix,
        tenant_kind=Customer.TenantKind.NEW,
        relationship_state=Customer.RelationshipState.NOT_NEEDED,
    )


def contoso_customer(*, reseller) -> Customer:
    """The sandbox's existing tenant whose relationship is accepted, as the wizard found it."""
    return CustomerFactory(
        reseller=reseller,
        company_name=CONTOSO_NAME,
        tenant_domain_prefix=CONTOSO_PREFIX,
        tenant_kind=Customer.TenantKind.EXISTING,
        relationship_state=Customer.RelationshipState.ACCEPTED,
        partner_center_customer_id=CONTOSO_CUSTOMER_ID,
    )


def fabrikam_customer(*, reseller) -> Customer:
    """The sandbox's existing tenant that has not accepted the relationship yet."""
    return CustomerFactory(
        reseller=reseller,
        company_name=FABRIKAM_NAME,
        tenant_domain_prefix=FABRIKAM_PREFIX,
        tenant_kind=Customer.TenantKind.EXISTING,
        relationship_state=Customer.RelationshipState.PENDING,
    )


def placed_order(
    *, user=None, customer=None, quantity: int = 5, addon_quantity: int | None = None
) -> Order:
    """An order placed through order_place (its task runs only if the test commits)."""
    user = user or order_user()
    customer = customer or new_tenant_customer(reseller=user.reseller)
    cart = checked_out_cart(user=user, quantity=quantity, addon_quantity=addon_quantity)
    return order_place(cart=cart, user=user, customer=customer, mpn_id=user.reseller.mpn_id)


TEST_ADMIN_PASSWORD = "Xyzabc42!Q"


def order_ready_for_emails(
    *, user=None, customer=None, password: str = TEST_ADMIN_PASSWORD
) -> Order:
    """A provisioning order whose Partner Center steps are all recorded: only e-mails are left."""
    order = placed_order(user=user, customer=customer)
    now = timezone.now()
    Order.objects.filter(pk=order.pk).update(
        status=OrderStatus.PROVISIONING,
        mpn_validated_at=now,
        reseller_tenant_id=VALID_RESELLER_TENANT_ID,
        partner_center_customer_id=str(uuid.uuid4()),
        admin_user_name=f"admin@{order.tenant_domain}" if order.is_new_tenant else "",
        admin_password_encrypted=encrypt_text(password) if order.is_new_tenant else "",
        agreement_accepted_at=now,
        cart_submitted_at=now,
        activated_at=now,
    )
    order.lines.update(
        partner_center_order_id="8c0e4e7a-0000-4000-8000-000000000001",
        partner_center_subscription_id="5f1b2c3d-0000-4000-8000-000000000002",
        subscription_status="active",
        subscription_started_at=datetime(2026, 11, 29, 9, 30, tzinfo=UTC),
    )
    return Order.objects.select_related("customer", "reseller", "user").get(pk=order.pk)
