"""MPN ID validation against the Partner Center sandbox (docs/product.md#mpn-id-validation): the
service. The «Partner» step: test_tenants_mpn_partner_step.py; `revalidate_mpn`:
test_tenants_mpn_revalidate.py."""

import uuid

import pytest
from django.core.cache import cache
from django.db import IntegrityError, transaction

from partnercenter.lookups import PartnerCenterUnavailableError
from resellers.services import reseller_validate_mpn
from resellers.tests.helpers import UNCHECKED, profile, unchecked
from storefront.models import Reseller
from storefront.tests.factories import ResellerFactory
from tenants.tests.factories import VALID_MPN_ID, VALID_RESELLER_TENANT_ID

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


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

    validation = reseller_validate_mpn(reseller=ResellerFactory(mpn_id="8888888"), mpn_id="8888888")

    assert (validation.code, validation.partner_center_code) == ("mpn_not_found", "3000")


def test_bad_format_is_refused_without_calling_partner_center(pc_sandbox):
    pc_sandbox.control.clear_calls()
    reseller = ResellerFactory(mpn_id="12a45")

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

    assert cached.is_valid
    assert pc_sandbox.control.calls(path_prefix="/v1/") == []


def test_worker_bypasses_the_cache_and_sees_the_agreement_lapse(pc_sandbox):
    reseller = ResellerFactory(mpn_id=VALID_MPN_ID)
    reseller_validate_mpn(reseller=reseller, mpn_id=VALID_MPN_ID)
    pc_sandbox.control.set_reseller(VALID_MPN_ID, agreement="unsigned")

    validation = reseller_validate_mpn(reseller=reseller, mpn_id=VALID_MPN_ID, use_cache=False)

    assert validation.code == "agreement_not_signed"
    assert reseller_validate_mpn(reseller=reseller, mpn_id=VALID_MPN_ID).code == (
        "agreement_not_signed"
    )


def test_another_resellers_mpn_id_is_refused_without_a_call_and_never_adopted(pc_sandbox, settings):
    # Given the demo reseller, owner of the valid MPN ID, and another reseller
    owner = ResellerFactory(mpn_id=VALID_MPN_ID)
    reseller = ResellerFactory(mpn_id="7654320")
    pc_sandbox.control.clear_calls()

    # When the other reseller has the owner's MPN ID validated, with the cache or without
    validations = [
        reseller_validate_mpn(reseller=reseller, mpn_id=VALID_MPN_ID, use_cache=use_cache)
        for use_cache in (True, False)
    ]

    # Then it is refused for what it is, Partner Center is not asked, nothing is stored
    assert [(v.is_valid, v.code, v.reseller_tenant_id) for v in validations] == [
        (False, "mpn_not_registered", ""),
        (False, "mpn_not_registered", ""),
    ]
    assert validations[0].message == (
        f"L'MPN ID {VALID_MPN_ID} non è quello registrato presso il distributore per la tua "
        "azienda: usa l'MPN ID registrato (7654320). Per cambiarlo contatta l'assistenza: "
        f"{settings.SUPPORT_EMAIL}."
    )
    assert pc_sandbox.control.calls() == []
    assert profile(reseller) == ("7654320", *UNCHECKED)
    assert profile(owner) == (VALID_MPN_ID, *UNCHECKED)


def test_a_reseller_without_mpn_id_is_told_to_ask_the_distributor_and_adopts_none(pc_sandbox):
    # Given a reseller whose profile has no MPN ID
    reseller = ResellerFactory(mpn_id="")
    pc_sandbox.control.clear_calls()

    # When it has a valid MPN ID validated
    validation = reseller_validate_mpn(reseller=reseller, mpn_id=VALID_MPN_ID)

    # Then it is refused without a call, and its profile still has no MPN ID nor tenant id
    assert (validation.is_valid, validation.code) == (False, "mpn_missing")
    assert "non ha ancora registrato un MPN ID per la tua azienda" in validation.message
    assert pc_sandbox.control.calls() == []
    assert profile(reseller) == ("", *UNCHECKED)


def test_a_tenant_id_of_another_reseller_is_not_stored(pc_sandbox):
    # Given another reseller that already has the demo reseller's Partner Center tenant id
    holder = ResellerFactory(partner_center_tenant_id=VALID_RESELLER_TENANT_ID)
    reseller = ResellerFactory(mpn_id=VALID_MPN_ID)

    # When the demo MPN ID is validated for the reseller whose profile has it
    validation = reseller_validate_mpn(reseller=reseller, mpn_id=VALID_MPN_ID)

    # Then it is valid, but the tenant id stays with the reseller that had it
    assert validation.is_valid
    reseller.refresh_from_db()
    assert (reseller.mpn_status, reseller.partner_center_tenant_id) == (
        Reseller.MpnStatus.VALID,
        None,
    )
    holder.refresh_from_db()
    assert holder.partner_center_tenant_id == uuid.UUID(VALID_RESELLER_TENANT_ID)


def test_a_new_mpn_id_set_by_staff_replaces_the_old_tenant_id(pc_sandbox):
    reseller = ResellerFactory(
        mpn_id=VALID_MPN_ID, partner_center_tenant_id="7d6e0a5c-9f1b-4c2d-9e4f-5a6b7c8d9e0f"
    )

    reseller_validate_mpn(reseller=reseller, mpn_id=VALID_MPN_ID, use_cache=False)

    reseller.refresh_from_db()
    assert reseller.partner_center_tenant_id == uuid.UUID(VALID_RESELLER_TENANT_ID)


def test_two_resellers_cannot_share_an_mpn_id_or_a_tenant_id():
    ResellerFactory(mpn_id=VALID_MPN_ID, partner_center_tenant_id=VALID_RESELLER_TENANT_ID)
    ResellerFactory(mpn_id="", partner_center_tenant_id=None)
    ResellerFactory(mpn_id="", partner_center_tenant_id=None)  # none: no clash

    for fields in (
        {"mpn_id": VALID_MPN_ID},
        {"partner_center_tenant_id": VALID_RESELLER_TENANT_ID.upper()},
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            ResellerFactory(**fields)

    assert Reseller.objects.count() == 3
