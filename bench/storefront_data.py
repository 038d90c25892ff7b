"""The storefront's data as the purchase flow leaves it, for the provisioning and placement
benchmarks and the proof: resellers in the sandbox and here, customers of each kind, carts after
«Checkout >>», orders placed with ``order_place``. Django must be set up (harness.django_setup)."""

import uuid
from dataclasses import dataclass

from bench.harness import Sandbox


@dataclass
class ResellerAccount:
    user: object
    mpn_id: str
    tenant_id: str


def reseller_accounts(sandbox: Sandbox, count: int) -> list[ResellerAccount]:
    """``count`` indirect resellers, Active with a signed MPA in the sandbox, each with one user
    whose profile MPN ID was validated (as after the wizard's first step)."""
    from decimal import Decimal

    from storefront.tests.factories import ResellerFactory, UserFactory

    accounts = []
    for index in range(count):
        mpn_id = f"{8100000 + index}"
        tenant_id = str(uuid.uuid4())
        sandbox.control.set_reseller(mpn_id, name=f"Rivenditore Bench {index}", tenant_id=tenant_id)
        reseller = ResellerFactory(
            mpn_id=mpn_id,
            partner_center_tenant_id=tenant_id,
            markup_percent_override=Decimal("0"),
            notification_email=f"ordini{index}@rivenditore.example",
        )
        accounts.append(ResellerAccount(UserFactory(reseller=reseller), mpn_id, tenant_id))
    return accounts


NEW, RELATED, UNRELATED = "new", "related", "unrelated"


def customer_for(kind: str, *, sandbox: Sandbox, account: ResellerAccount, prefix: str):
    """A storefront customer of ``kind``: a new tenant, an existing one already related to the
    reseller, or an existing one whose administrator has not accepted the invitation yet."""
    from tenants.models import Customer
    from tenants.tests.factories import CustomerFactory

    if kind == NEW:
        return CustomerFactory(
            reseller=account.user.reseller,
            tenant_domain_prefix=prefix,
            tenant_kind=Customer.TenantKind.NEW,
            relationship_state=Customer.RelationshipState.NOT_NEEDED,
        )
    domain = f"{prefix}.onmicrosoft.com"
    tenant = sandbox.control.add_tenant(
        domain,
        company_name=f"Cliente {prefix}",
        relationship_accepted=kind == RELATED,
        reseller_tenant_id=account.tenant_id if kind == RELATED else "",
        has_customer_agreement=kind == RELATED,
    )
    return CustomerFactory(
        reseller=account.user.reseller,
        company_name=f"Cliente {prefix}",
        tenant_domain_prefix=prefix,
        tenant_kind=Customer.TenantKind.EXISTING,
        relationship_state=Customer.RelationshipState.ACCEPTED
        if kind == RELATED
        else Customer.RelationshipState.PENDING,
        partner_center_customer_id=tenant["id"] if kind == RELATED else None,
    )


def checked_out_cart(user, *, quantity: int = 5):
    """The user's cart with Business Standard, «Checkout >>» done (terms accepted)."""
    from orders.tests.factories import checked_out_cart as cart_of

    return cart_of(user=user, quantity=quantity)


def place(user, customer, mpn_id: str):
    """«Conferma» of the purchase flow: the order, its provisioning enqueued after commit."""
    from orders.services import order_place

    return order_place(cart=checked_out_cart(user), user=user, customer=customer, mpn_id=mpn_id)
