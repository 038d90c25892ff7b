"""`revalidate_mpn` and its nightly task: every active reseller's MPN ID checked again, the cache
bypassed, a dry run, Partner Center down."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from resellers.services import reseller_validate_mpn
from resellers.tasks import resellers_revalidate_mpn_task
from resellers.tests.helpers import UNCHECKED, unchecked
from storefront.models import Reseller
from storefront.tests.factories import ResellerFactory
from tenants.tests.factories import VALID_MPN_ID

pytestmark = pytest.mark.django_db


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
