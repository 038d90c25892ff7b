"""Customers, checkout drafts and carts ready for the wizard."""

from datetime import timedelta

import factory
from django.utils import timezone

from catalog.tests.factories import SkuFactory, priced_plan
from checkout.models import Cart
from checkout.services import cart_add_plan, cart_checkout_start
from checkout.tests.factories import TermsVersionFactory
from purchase.models import PurchaseDraft
from storefront.tests.factories import ResellerFactory, UserFactory, make_partita_iva
from tenants.models import Customer

# The sandbox's demo set (partnercenter_sandbox/demo.py).
VALID_MPN_ID = "1234567"
VALID_RESELLER_TENANT_ID = "3f2a6c1e-5b7d-4e8f-9a0b-1c2d3e4f5a6b"
CONTOSO_PREFIX = "contosoitalia"
CONTOSO_NAME = "Contoso Italia S.p.A."
CONTOSO_CUSTOMER_ID = "b7e3c1d2-4a5f-4e6b-8c9d-0e1f2a3b4c5d"
FABRIKAM_PREFIX = "fabrikamsrl"
FABRIKAM_NAME = "Fabrikam S.r.l."
FREE_PREFIX = "nuovaimpresa2026"
VALID_VAT_NUMBER = "01234560157"


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    reseller = factory.SubFactory(ResellerFactory)
    company_name = factory.Sequence(lambda n: f"Cliente {n} S.r.l.")
    vat_number = factory.Sequence(lambda n: make_partita_iva(500000 + n))
    address_line = "Via Roma 1"
    postal_code = "20121"
    city = "Milano"
    province = "MI"
    contact_first_name = "Anna"
    contact_last_name = "Verdi"
    contact_email = factory.Sequence(lambda n: f"anna{n}@cliente.example")
    contact_phone = "+39 02 1234567"
    tenant_domain_prefix = factory.Sequence(lambda n: f"cliente{n}")
    tenant_kind = Customer.TenantKind.NEW
    relationship_state = Customer.RelationshipState.NOT_NEEDED


def reseller_user(**reseller_fields):
    """A reseller user whose profile MPN ID is the sandbox's valid one, unless told otherwise.

    An MPN ID belongs to one reseller: a second reseller in a test is an ``other_reseller_user``.
    """
    reseller_fields.setdefault("mpn_id", VALID_MPN_ID)
    return UserFactory(reseller=ResellerFactory(**reseller_fields))


def other_reseller_user(**reseller_fields):
    """Another reseller's user: its own MPN ID, unknown to the sandbox unless registered."""
    return UserFactory(reseller=ResellerFactory(**reseller_fields))


def company_data(**overrides) -> dict:
    """POST data of a valid «Azienda» step."""
    return {
        "company_name": "Nuova Impresa S.r.l.",
        "vat_number": VALID_VAT_NUMBER,
        "fiscal_code": "",
        "address_line": "Via Torino 10",
        "postal_code": "10121",
        "city": "Torino",
        "province": "TO",
        "country": "IT",
        "contact_first_name": "Luca",
        "contact_last_name": "Neri",
        "contact_email": "luca.neri@nuovaimpresa.example",
        "contact_phone": "+39 011 7654321",
        "pec_email": "",
        "sdi_code": "",
        **overrides,
    }


def checkout_ready_cart(*, user, purchase_type: str = Cart.PurchaseType.RESALE) -> Cart:
    """The user's cart with one line, the terms accepted and «Checkout >>» pressed."""
    sku = SkuFactory(product__title="Microsoft 365 Business Standard", title="Business Standard")
    plan = priced_plan(sku=sku, cost="140.40", effective_start=timezone.localdate() - timedelta(30))
    terms = TermsVersionFactory()
    cart_add_plan(user=user, plan_id=plan.pk, quantity=5, addon_quantities={})
    return cart_checkout_start(
        user=user,
        terms_accepted=True,
        terms_version_id=terms.pk,
        purchase_type=purchase_type,
        ip_address="127.0.0.1",
    )


def draft_ready_to_confirm(
    *,
    cart: Cart,
    prefix: str = FREE_PREFIX,
    is_taken: bool = False,
    partner_center_customer_id: str = "",
    partner_center_company_name: str = "",
    mpn_id: str = VALID_MPN_ID,
    **company_overrides,
) -> PurchaseDraft:
    """A draft with every step done, as the wizard leaves it before «Prossimo >>» on Conferma."""
    return PurchaseDraft.objects.create(
        cart=cart,
        customer_choice=PurchaseDraft.CustomerChoice.NEW,
        company={"values": company_data(**company_overrides), "is_complete": True},
        tenant={
            "prefix": prefix,
            "check": {
                "prefix": prefix,
                "is_taken": is_taken,
                "partner_center_customer_id": partner_center_customer_id,
                "partner_center_company_name": partner_center_company_name,
                "checked_at": timezone.now().isoformat(),
            },
        },
        partner={
            "mpn_id": mpn_id,
            "validated": {
                "mpn_id": mpn_id,
                "reseller_tenant_id": VALID_RESELLER_TENANT_ID,
                "checked_at": timezone.now().isoformat(),
            },
        },
    )
