"""MPN ID validation against the Partner Center sandbox, and `revalidate_mpn`
(docs/product.md#mpn-id-validation)."""

import uuid
from io import StringIO

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction
from django.urls import reverse

from partnercenter.lookups import PartnerCenterUnavailableError
from purchase.models import PurchaseDraft
from resellers.services import reseller_validate_mpn
from resellers.tasks import resellers_revalidate_mpn_task
from storefront.models import Reseller
from storefront.tests.factories import ResellerFactory
from tenants.tests.factories import (
    VALID_MPN_ID,
    VALID_RESELLER_TENANT_ID,
    checkout_ready_cart,
    company_data,
    other_reseller_user,
    reseller_user,
)

pytestmark = pytest.mark.django_db

PARTNER_URL = reverse("purchase:partner")


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


def profile(reseller: Reseller) -> tuple:
    reseller.refresh_from_db()
    return (reseller.mpn_id, *unchecked(reseller))


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


# --- The «Partner» step -----------------------------------------------------------------------


def walk_to_partner_step(client, user):
    checkout_ready_cart(user=user)
    client.force_login(user)
    client.post(reverse("purchase:customer"), {"choice": "new", "action": "next"})
    client.post(reverse("purchase:company"), {**company_data(), "action": "next"})
    client.post(
        reverse("purchase:tenant"),
        {"tenant_domain_prefix": "nuovaimpresa2026", "action": "next"},
    )
    return user


@pytest.fixture
def at_partner_step(client, pc_sandbox):
    return walk_to_partner_step(client, reseller_user())


def test_partner_step_prefills_the_profile_mpn_id_with_the_warnings(client, at_partner_step):
    page = client.get(PARTNER_URL).content.decode()

    assert f'value="{VALID_MPN_ID}"' in page
    assert "ATTENZIONE!" in page
    assert "altrimenti la sottoscrizione non verrà attivata" in page
    assert 'href="https://partner.microsoft.com/it-it/"' in page
    assert "data-mpn-registered" in page


def test_valid_mpn_id_goes_on_to_the_confirmation(client, at_partner_step):
    response = client.post(PARTNER_URL, {"mpn_id": VALID_MPN_ID, "action": "next"})

    assert response["Location"] == reverse("purchase:confirm")
    draft = PurchaseDraft.objects.get(cart__user=at_partner_step)
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
    client, pc_sandbox, settings, mpn_id, message
):
    user = walk_to_partner_step(client, reseller_user(mpn_id=mpn_id))

    response = client.post(PARTNER_URL, {"mpn_id": mpn_id, "action": "next"})

    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert f'value="{mpn_id}"' in page
    assert 'href="https://partner.microsoft.com/it-it/"' in page
    assert f"mailto:{settings.SUPPORT_EMAIL}" in page
    draft = PurchaseDraft.objects.get(cart__user=user)
    assert draft.partner == {"mpn_id": mpn_id}
    assert client.get(reverse("purchase:confirm"))["Location"] == PARTNER_URL


def test_another_resellers_mpn_id_is_refused_on_the_partner_step(client, pc_sandbox, settings):
    # Given a reseller with its own MPN ID at the «Partner» step
    user = walk_to_partner_step(client, other_reseller_user())
    own_mpn_id = user.reseller.mpn_id
    pc_sandbox.control.clear_calls()

    # When it types the demo reseller's valid MPN ID
    response = client.post(PARTNER_URL, {"mpn_id": VALID_MPN_ID, "action": "next"})

    # Then it is refused: its registered MPN ID is the one, to change it ask the support
    assert response.status_code == 200
    page = response.content.decode()
    assert (
        f"L&#x27;MPN ID {VALID_MPN_ID} non è quello registrato presso il distributore per la tua "
        f"azienda: usa l&#x27;MPN ID registrato ({own_mpn_id}). Per cambiarlo contatta "
        f"l&#x27;assistenza: {settings.SUPPORT_EMAIL}."
    ) in page
    # and nothing changed: no call, the step not done, the profile as it was
    assert pc_sandbox.control.calls() == []
    assert PurchaseDraft.objects.get(cart__user=user).partner == {"mpn_id": VALID_MPN_ID}
    assert client.get(reverse("purchase:confirm"))["Location"] == PARTNER_URL
    assert profile(user.reseller) == (own_mpn_id, *UNCHECKED)
    # and the page offers the registered MPN ID again
    assert f'value="{own_mpn_id}"' in client.get(PARTNER_URL).content.decode()


def test_a_reseller_without_mpn_id_is_told_to_contact_the_distributor(client, pc_sandbox, settings):
    # Given a reseller whose profile has no MPN ID, at the «Partner» step
    user = walk_to_partner_step(client, other_reseller_user(mpn_id=""))
    pc_sandbox.control.clear_calls()

    # When it opens the step, then types a valid MPN ID
    page = client.get(PARTNER_URL).content.decode()
    response = client.post(PARTNER_URL, {"mpn_id": VALID_MPN_ID, "action": "next"})

    # Then both say to have the distributor register it, and nothing changed
    assert "data-mpn-missing" in page
    assert f'href="mailto:{settings.SUPPORT_EMAIL}"' in page
    assert response.status_code == 200
    assert "non ha ancora registrato un MPN ID per la tua azienda" in response.content.decode()
    assert pc_sandbox.control.calls() == []
    assert PurchaseDraft.objects.get(cart__user=user).partner == {"mpn_id": VALID_MPN_ID}
    assert profile(user.reseller) == ("", *UNCHECKED)


def test_partner_center_unavailable_on_the_partner_step(client, at_partner_step, pc_sandbox):
    pc_sandbox.control.inject_fault("drop", path_prefix="/v1/compliance")

    response = client.post(PARTNER_URL, {"mpn_id": VALID_MPN_ID, "action": "next"})

    assert response.status_code == 200
    page = response.content.decode()
    assert "riprova tra qualche minuto" in page
    assert f'value="{VALID_MPN_ID}"' in page
    assert PurchaseDraft.objects.get(cart__user=at_partner_step).partner == {"mpn_id": VALID_MPN_ID}

    pc_sandbox.control.clear_faults()
    retried = client.post(PARTNER_URL, {"mpn_id": VALID_MPN_ID, "action": "next"})
    assert retried["Location"] == reverse("purchase:confirm")


# --- revalidate_mpn ---------------------------------------------------------------------------


def run_revalidate(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("revalidate_mpn", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_revalidate_mpn_checks_every_active_reseller_and_stores_the_outcome(pc_sandbox):
    valid = ResellerFactory(mpn_id=VALID_MPN_ID)
    unsigned = ResellerFactory(mpn_id="3456789")
    without_mpn = ResellerFactory(mpn_id="")
    inactive = ResellerFactory(mpn_id="2345678", is_active=False)

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
