from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from catalog.models import Product
from checkout.models import TermsVersion
from storefront.models import Reseller, User
from storefront.services import DEMO_USER_EMAIL, DEMO_USER_PASSWORD

pytestmark = pytest.mark.django_db


def test_seed_demo_loads_accounts_catalog_and_terms_and_prints_the_sign_in():
    output = StringIO()
    call_command("seed_demo", stdout=output)

    user = User.objects.get(email=DEMO_USER_EMAIL)
    assert user.check_password(DEMO_USER_PASSWORD)
    assert user.reseller.mpn_id == "1234567"
    assert str(user.reseller.partner_center_tenant_id) == "3f2a6c1e-5b7d-4e8f-9a0b-1c2d3e4f5a6b"
    assert Product.objects.filter(product_id="CFQ7TTC0LDPB").exists()
    assert TermsVersion.objects.count() == 1
    assert f"{DEMO_USER_EMAIL} / {DEMO_USER_PASSWORD}" in output.getvalue()


def test_seed_demo_is_rerunnable_and_dry_run_changes_nothing():
    call_command("seed_demo", stdout=StringIO())
    counts = (Reseller.objects.count(), User.objects.count(), Product.objects.count())
    call_command("seed_demo", stdout=StringIO())
    assert (Reseller.objects.count(), User.objects.count(), Product.objects.count()) == counts

    Product.objects.all().delete()
    call_command("seed_demo", "--dry-run", stdout=StringIO())
    assert Product.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_check_worker_reports_the_in_process_worker():
    output = StringIO()
    call_command("check_worker", "--timeout", "5", stdout=output)
    assert "Worker OK" in output.getvalue()
    assert "processed by in-process" in output.getvalue()


def test_check_worker_refuses_a_non_positive_timeout():
    with pytest.raises(CommandError, match="argument --timeout: «0» non è un numero di secondi"):
        call_command("check_worker", "--timeout", "0")
