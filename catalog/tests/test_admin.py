import pytest
from django.urls import reverse

from catalog.models import PriceRule
from catalog.services import catalog_load_demo
from storefront.tests.factories import StaffUserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model", ["product", "sku", "plan", "price", "pricerule"])
def test_staff_browse_and_search_the_catalog_in_the_admin(client, model):
    catalog_load_demo()
    client.force_login(StaffUserFactory())
    changelist = reverse(f"admin:catalog_{model}_changelist")
    assert client.get(changelist).status_code == 200
    assert client.get(changelist, {"q": "LDPB"}).status_code == 200


def test_admin_lists_run_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    catalog_load_demo()
    client.force_login(StaffUserFactory())
    for model in ("sku", "plan", "price"):
        with django_assert_max_num_queries(12):
            client.get(reverse(f"admin:catalog_{model}_changelist"))


def test_the_price_rule_is_one_row_that_cannot_be_added_again_or_deleted(client):
    client.force_login(StaffUserFactory())
    rule = PriceRule.objects.get()
    assert client.get(reverse("admin:catalog_pricerule_add")).status_code == 403
    assert client.get(reverse("admin:catalog_pricerule_delete", args=[rule.pk])).status_code == 403
    response = client.post(
        reverse("admin:catalog_pricerule_change", args=[rule.pk]),
        {"default_markup_percent": "12.50"},
    )
    assert response.status_code == 302
    assert str(PriceRule.objects.get().default_markup_percent) == "12.50"
