"""MPN ID validation against the Partner Center sandbox (SPEC §5.3) and `revalidate_mpn`."""

import uuid
from io import StringIO

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.urls import reverse

from storefront.models import Reseller
from storefront.tests.factories import ResellerFactory
from tenants.errors import PartnerCenterUnavailableError
from tenants.models import CheckoutDraft
from tenants.services import reseller_validate_mpn
from tenants.tasks import resellers_revalidate_mpn_task
from tenants.tests.factories import (
    VALID_MPN_ID,
    VALID_RESELLER_TENANT_ID,
    checkout_ready_cart,
    company_data,
    reseller_user,
)

pytestmark = pytest.mark.django_db

PARTNER_URL = reverse("tenants:checkout_partner")


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


def unchecked(reseller: Reseller) -> tuple:
    reseller.refresh_from_db()
    return (
        reseller.mpn_status,
        reseller.mpn_status_reason,
        reseller.mpn_checked_at,
        reseller.partner_center_tenant_id,
    )


UNCHECKED = (Reseller.MpnStatus.UNCHECKED, "", None, None)


# --- The service ------------------------------------------------------------------------------


def test_valid_mpn_id_is_stored_on_the_reseller_with_its_tenant_id(pc_sandbox):
    reseller = ResellerFactory(mpn_id=VALID_MPN_ID)

    validation = reseller_validate_mpn(reseller=reseller, mpn_id=VALID_MPN_ID)

    assert (validation.is_valid, validation.code, validation.reseller_tenant_id) == (
        True,
        "valid",
        VALID_RESELLER_TENANT_ID,
    )
    reseller.refresh_from_db()
    assert reseller.mpn_status == Reseller.MpnStatus.VALID
    assert reseller.mpn_status_reason == ""
    assert reseller.mpn_checked_at == validation.checked_at
    assert reseller.partner_center_tenant_id == uuid.UUID(VALID_RESELLER_TENANT_ID)


@pytest.mark.parametrize(
    ("mpn_id", "code", "message"),
    [
        ("9999999", "mpn_invalid", "L'MPN ID 9999999 non è valido"),
        ("4567890", "not_our_reseller", "non risulta tra i rivenditori indiretti del distributore"),
        ("2345678", "reseller_inactive", "non è attivo in Partner Center"),
        ("3456789", "agreement_not_signed", "Microsoft Partner Agreement (MPA)"),
        ("5678901", "region_mismatch", "area geografica diversa dall'Italia"),
    ],
)
def test_refused_mpn_id_gives_the_reason_in_italian(pc_sandbox, mpn_id, code, message):
    reseller = ResellerFactory(mpn_id=mpn_id)

    validation = reseller_validate_mpn(reseller=reseller, mpn_id=mpn_id)

    assert (validation.is_valid, validation.code, validation.reseller_tenant_id) == (
        False,
        code,
        "",
    )
    assert message in validation.message
    reseller.refresh_from_db()
    assert reseller.mpn_status == Reseller.MpnStatus.INVALID
    assert message in reseller.mpn_status_reason
    assert reseller.partner_center_tenant_id is None


def test_mpn_profile_not_found_3000_is_refused(pc_sandbox):
    pc_sandbox.control.inject_fault(
        "status", path_prefix="/v1/compliance/csp/agreementstatus", status=404, count=1
    )
    reseller = ResellerFactory(mpn_id="8888888")

    validation = reseller_validate_mpn(reseller=reseller, mpn_id="8888888")

    assert validation.code == "mpn_not_found"
    assert "nessun profilo partner con l'MPN ID 8888888" in validation.message


def test_mpn_id_unknown_to_partner_center_with_code_3000_is_refused(pc_sandbox, monkeypatch):
    from partnercenter.client import PartnerCenterClient
    from partnercenter.errors import PartnerCenterBusinessError

    def refuse(client, mpn_id):
        raise PartnerCenterBusinessError("MPN profile not found", code="3000", http_status=400)

    monkeypatch.setattr(PartnerCenterClient, "get_agreement_status", refuse)

    validation = reseller_validate_mpn(reseller=ResellerFactory(), mpn_id="8888888")

    assert (validation.code, validation.partner_center_code) == ("mpn_not_found", "3000")


def test_bad_format_is_refused_without_calling_partner_center(pc_sandbox):
    pc_sandbox.control.clear_calls()
    reseller = ResellerFactory(mpn_id=VALID_MPN_ID)

    validation = reseller_validate_mpn(reseller=reseller, mpn_id="12a45")

    assert validation.code == "mpn_format"
    assert pc_sandbox.control.calls(path_prefix="/v1/") == []
    assert unchecked(reseller) == UNCHECKED


@pytest.mark.parametrize("kind", ["status", "drop"])
def test_partner_center_down_stores_nothing(pc_sandbox, kind):
    pc_sandbox.control.inject_fault(kind, path_prefix="/v1/compliance", status=503)
    reseller = ResellerFactory(mpn_id=VALID_MPN_ID)

    with pytest.raises(PartnerCenterUnavailableError) as refusal:
        reseller_validate_mpn(reseller=reseller, mpn_id=VALID_MPN_ID)

    assert "riprova tra qualche minuto" in str(refusal.value.message)
    assert unchecked(reseller) == UNCHECKED


def test_valid_result_is_cached_per_reseller_and_mpn_id(pc_sandbox):
    reseller = ResellerFactory(mpn_id=VALID_MPN_ID)
    reseller_validate_mpn(reseller=reseller, mpn_id=VALID_MPN_ID)
    pc_sandbox.control.clear_calls()

    cached = reseller_validate_mpn(reseller=reseller, mpn_id=VALID_MPN_ID)
    other_reseller = reseller_validate_mpn(
        reseller=ResellerFactory(mpn_id=VALID_MPN_ID), mpn_id=VALID_MPN_ID
    )

    assert cached.is_valid and other_reseller.is_valid
    assert len(pc_sandbox.control.calls(path_prefix="/v1/compliance")) == 1


def test_worker_bypasses_the_cache_and_sees_the_agreement_lapse(pc_sandbox):
    reseller = ResellerFactory(mpn_id=VALID_MPN_ID)
    reseller_validate_mpn(reseller=reseller, mpn_id=VALID_MPN_ID)
    pc_sandbox.control.set_reseller(VALID_MPN_ID, agreement="unsigned")

    validation = reseller_validate_mpn(reseller=reseller, mpn_id=VALID_MPN_ID, use_cache=False)

    assert validation.code == "agreement_not_signed"
    assert reseller_validate_mpn(reseller=reseller, mpn_id=VALID_MPN_ID).code == (
        "agreement_not_signed"
    )


def test_another_mpn_id_than_the_profile_one_leaves_the_profile_alone(pc_sandbox):
    reseller = ResellerFactory(mpn_id="2345678")

    validation = reseller_validate_mpn(reseller=reseller, mpn_id=VALID_MPN_ID)

    assert validation.is_valid
    assert unchecked(reseller) == UNCHECKED
    assert reseller.mpn_id == "2345678"


# --- The «Partner» step -----------------------------------------------------------------------


@pytest.fixture
def at_partner_step(client, pc_sandbox):
    user = reseller_user()
    checkout_ready_cart(user=user)
    client.force_login(user)
    client.post(reverse("tenants:checkout_customer"), {"choice": "new", "action": "next"})
    client.post(reverse("tenants:checkout_company"), {**company_data(), "action": "next"})
    client.post(
        reverse("tenants:checkout_tenant"),
        {"tenant_domain_prefix": "nuovaimpresa2026", "action": "next"},
    )
    return user


def test_partner_step_prefills_the_profile_mpn_id_with_the_warnings(client, at_partner_step):
    page = client.get(PARTNER_URL).content.decode()

    assert f'value="{VALID_MPN_ID}"' in page
    assert "ATTENZIONE!" in page
    assert "altrimenti la sottoscrizione non verrà attivata" in page
    assert 'href="https://partner.microsoft.com/it-it/"' in page


def test_valid_mpn_id_goes_on_to_the_confirmation(client, at_partner_step):
    response = client.post(PARTNER_URL, {"mpn_id": VALID_MPN_ID, "action": "next"})

    assert response["Location"] == reverse("tenants:checkout_confirm")
    draft = CheckoutDraft.objects.get(cart__user=at_partner_step)
    assert draft.partner["validated"]["mpn_id"] == VALID_MPN_ID
    assert draft.partner["validated"]["reseller_tenant_id"] == VALID_RESELLER_TENANT_ID


@pytest.mark.parametrize(
    ("mpn_id", "message"),
    [
        ("9999999", "L&#x27;MPN ID 9999999 non è valido"),
        ("4567890", "non risulta tra i rivenditori indiretti del distributore"),
        ("2345678", "non è attivo in Partner Center"),
        ("3456789", "Microsoft Partner Agreement (MPA)"),
        ("5678901", "area geografica diversa dall&#x27;Italia"),
    ],
)
def test_refused_mpn_id_stays_with_the_reason_the_partner_site_and_support(
    client, at_partner_step, settings, mpn_id, message
):
    response = client.post(PARTNER_URL, {"mpn_id": mpn_id, "action": "next"})

    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert f'value="{mpn_id}"' in page
    assert 'href="https://partner.microsoft.com/it-it/"' in page
    assert f"mailto:{settings.SUPPORT_EMAIL}" in page
    draft = CheckoutDraft.objects.get(cart__user=at_partner_step)
    assert draft.partner == {"mpn_id": mpn_id}
    assert client.get(reverse("tenants:checkout_confirm"))["Location"] == PARTNER_URL


def test_partner_center_unavailable_on_the_partner_step(client, at_partner_step, pc_sandbox):
    pc_sandbox.control.inject_fault("drop", path_prefix="/v1/compliance")

    response = client.post(PARTNER_URL, {"mpn_id": VALID_MPN_ID, "action": "next"})

    assert response.status_code == 200
    page = response.content.decode()
    assert "riprova tra qualche minuto" in page
    assert f'value="{VALID_MPN_ID}"' in page
    assert CheckoutDraft.objects.get(cart__user=at_partner_step).partner == {"mpn_id": VALID_MPN_ID}

    pc_sandbox.control.clear_faults()
    retried = client.post(PARTNER_URL, {"mpn_id": VALID_MPN_ID, "action": "next"})
    assert retried["Location"] == reverse("tenants:checkout_confirm")


# --- revalidate_mpn ---------------------------------------------------------------------------


def run_revalidate(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("revalidate_mpn", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_revalidate_mpn_checks_every_active_reseller_and_stores_the_outcome(pc_sandbox):
    valid = ResellerFactory(mpn_id=VALID_MPN_ID)
    unsigned = ResellerFactory(mpn_id="3456789")
    without_mpn = ResellerFactory(mpn_id="")
    inactive = ResellerFactory(mpn_id=VALID_MPN_ID, is_active=False)

    out, err = run_revalidate()

    assert "3 resellers checked: 1 valid, 1 not valid, 0 not checked" in out
    assert "1 without MPN ID" in out
    assert err == ""
    assert Reseller.objects.get(pk=valid.pk).mpn_status == Reseller.MpnStatus.VALID
    assert Reseller.objects.get(pk=unsigned.pk).mpn_status == Reseller.MpnStatus.INVALID
    assert Reseller.objects.get(pk=without_mpn.pk).mpn_status == Reseller.MpnStatus.UNCHECKED
    assert Reseller.objects.get(pk=inactive.pk).mpn_status == Reseller.MpnStatus.UNCHECKED


def test_nightly_task_revalidates_every_active_reseller(pc_sandbox):
    valid = ResellerFactory(mpn_id=VALID_MPN_ID)
    unsigned = ResellerFactory(mpn_id="3456789")

    counts = resellers_revalidate_mpn_task.delay().get()

    assert counts == {"valid": 1, "invalid": 1}
    assert Reseller.objects.get(pk=valid.pk).mpn_status == Reseller.MpnStatus.VALID
    assert Reseller.objects.get(pk=unsigned.pk).mpn_status == Reseller.MpnStatus.INVALID


def test_revalidate_mpn_bypasses_the_cache(pc_sandbox):
    reseller = ResellerFactory(mpn_id=VALID_MPN_ID)
    reseller_validate_mpn(reseller=reseller, mpn_id=VALID_MPN_ID)
    pc_sandbox.control.set_reseller(VALID_MPN_ID, relationship_state="Inactive")

    run_revalidate("--reseller", str(reseller.pk))

    reseller.refresh_from_db()
    assert reseller.mpn_status == Reseller.MpnStatus.INVALID
    assert "non è attivo" in reseller.mpn_status_reason


def test_revalidate_mpn_dry_run_stores_nothing(pc_sandbox):
    reseller = ResellerFactory(mpn_id="3456789")

    out, _err = run_revalidate("--dry-run")

    assert "not valid (agreement_not_signed)" in out
    assert "Dry run: nothing stored." in out
    assert unchecked(reseller) == UNCHECKED


def test_revalidate_mpn_reports_partner_center_down_and_stores_nothing(pc_sandbox):
    reseller = ResellerFactory(mpn_id=VALID_MPN_ID)
    pc_sandbox.control.inject_fault("status", path_prefix="/v1/compliance", status=503)

    out, err = run_revalidate()

    assert "1 not checked (Partner Center unavailable)" in out
    assert "not checked" in err
    assert unchecked(reseller) == UNCHECKED


def test_revalidate_mpn_refuses_an_unknown_reseller():
    with pytest.raises(CommandError, match="No active reseller with id 999999"):
        run_revalidate("--reseller", "999999")


def test_revalidate_mpn_refuses_a_reseller_id_that_is_not_a_number():
    with pytest.raises(CommandError, match="invalid int value"):
        run_revalidate("--reseller", "tutti")
