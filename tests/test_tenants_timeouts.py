"""Pages waiting for Partner Center use short timeouts; the worker keeps the settings' ones."""

import pytest
import requests
from django.urls import reverse

from resellers.services import reseller_validate_mpn
from tenants.models import Customer
from tenants.services import customer_check_relationship
from tenants.tests.factories import (
    FABRIKAM_PREFIX,
    FREE_PREFIX,
    VALID_MPN_ID,
    CustomerFactory,
    checkout_ready_cart,
    company_data,
    reseller_user,
)

pytestmark = pytest.mark.django_db

PAGE = (3.0, 8.0)
WORKER = (5.0, 30.0)


@pytest.fixture
def sent_timeouts(monkeypatch, settings):
    """The timeout of every request sent to the Partner Center API (not the token endpoint)."""
    settings.PARTNER_CENTER_CONNECT_TIMEOUT, settings.PARTNER_CENTER_READ_TIMEOUT = WORKER
    sent = []
    real_send = requests.adapters.HTTPAdapter.send

    def send(adapter, request, **kwargs):
        if "/v1/" in request.url:
            sent.append(kwargs.get("timeout"))
        return real_send(adapter, request, **kwargs)

    monkeypatch.setattr(requests.adapters.HTTPAdapter, "send", send)
    return sent


def test_the_wizard_checks_use_the_short_timeouts(client, pc_sandbox, sent_timeouts):
    # Given a reseller at the «Tenant» step, and an existing customer of its
    user = reseller_user()
    customer = CustomerFactory(
        reseller=user.reseller,
        tenant_domain_prefix=FABRIKAM_PREFIX,
        tenant_kind=Customer.TenantKind.EXISTING,
        relationship_state=Customer.RelationshipState.PENDING,
    )
    checkout_ready_cart(user=user)
    client.force_login(user)
    client.post(reverse("purchase:customer"), {"choice": "new", "action": "next"})
    client.post(reverse("purchase:company"), {**company_data(), "action": "next"})

    # When the pages check a prefix (live and on the step), the MPN ID and a relationship
    client.get(reverse("purchase:prefix_check"), {"prefix": FABRIKAM_PREFIX})
    client.post(reverse("purchase:tenant"), {"tenant_domain_prefix": FREE_PREFIX, "action": "next"})
    client.post(reverse("purchase:partner"), {"mpn_id": VALID_MPN_ID, "action": "next"})
    client.post(reverse("tenants:customer_relationship_check", kwargs={"pk": customer.pk}))

    # Then every call had 3 s to connect and 8 s to read: domain + customers, domain,
    # agreement + resellers, customers
    assert sent_timeouts == [PAGE] * 6


def test_the_worker_checks_keep_the_settings_timeouts(pc_sandbox, sent_timeouts):
    user = reseller_user()
    customer = CustomerFactory(
        reseller=user.reseller,
        tenant_domain_prefix=FABRIKAM_PREFIX,
        tenant_kind=Customer.TenantKind.EXISTING,
    )

    customer_check_relationship(customer=customer)
    reseller_validate_mpn(reseller=user.reseller, mpn_id=VALID_MPN_ID, use_cache=False)

    assert sent_timeouts == [WORKER] * 3
