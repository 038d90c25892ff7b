from datetime import date

import pytest

from catalog.forms import AddonQuantity, AddToCartForm
from catalog.selectors import plan_offer
from catalog.tests.factories import AddonSkuFactory, SkuFactory, priced_plan

pytestmark = pytest.mark.django_db

NOVEMBER_24 = date(2026, 11, 24)


@pytest.fixture
def offer_with_addons():
    base = SkuFactory(title="Microsoft 365 Business Standard", min_quantity=2, max_quantity=300)
    base_plan = priced_plan(sku=base)
    archiving = priced_plan(
        sku=AddonSkuFactory(title="Exchange Online Archiving", prerequisites=[base]), cost="30.55"
    )
    conferencing = priced_plan(
        sku=AddonSkuFactory(
            title="Teams Audio Conferencing",
            prerequisites=[base],
            allows_quantity_above_base=True,
            max_quantity=10000,
        ),
        cost="38.18",
    )
    offer = plan_offer(plan_id=base_plan.pk, reseller=None, on_date=NOVEMBER_24)
    return offer, archiving, conferencing


def test_an_unbound_form_starts_at_the_sku_minimum(offer_with_addons):
    offer, archiving, _conferencing = offer_with_addons
    form = AddToCartForm(offer=offer)
    assert form["quantity"].value() == 2
    assert form["plan"].value() == offer.plan.pk
    assert [(addon.plan, ticked) for addon, ticked, _field in form.addon_rows()] == [
        (archiving, False),
        (_conferencing, False),
    ]


def test_an_add_on_quantity_left_blank_follows_the_base_quantity(offer_with_addons):
    offer, archiving, conferencing = offer_with_addons
    form = AddToCartForm(
        {
            "plan": str(offer.plan.pk),
            "quantity": "7",
            "addons": [str(archiving.pk), str(conferencing.pk)],
            f"addon_quantity_{conferencing.pk}": "20",
        },
        offer=offer,
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["plan"] == offer.plan
    assert form.cleaned_data["quantity"] == 7
    assert form.cleaned_data["addons"] == [
        AddonQuantity(plan=archiving, quantity=7),
        AddonQuantity(plan=conferencing, quantity=20),  # this add-on may exceed its base
    ]


def test_add_on_quantities_are_checked_against_the_base_and_their_own_limits(offer_with_addons):
    offer, archiving, conferencing = offer_with_addons
    form = AddToCartForm(
        {
            "plan": str(offer.plan.pk),
            "quantity": "7",
            "addons": [str(archiving.pk), str(conferencing.pk)],
            f"addon_quantity_{archiving.pk}": "8",
            f"addon_quantity_{conferencing.pk}": "10001",
        },
        offer=offer,
    )
    assert not form.is_valid()
    assert form.errors[f"addon_quantity_{archiving.pk}"] == [
        "Le licenze di Exchange Online Archiving non possono superare quelle del prodotto base (7)."
    ]
    assert form.errors[f"addon_quantity_{conferencing.pk}"] == [
        "Per Teams Audio Conferencing si possono acquistare al massimo 10000 licenze."
    ]


def test_an_unticked_add_on_is_ignored_whatever_its_quantity(offer_with_addons):
    offer, archiving, _conferencing = offer_with_addons
    form = AddToCartForm(
        {"plan": str(offer.plan.pk), "quantity": "3", f"addon_quantity_{archiving.pk}": "999"},
        offer=offer,
    )
    assert form.is_valid() and form.cleaned_data["addons"] == []


def test_a_plan_id_other_than_the_offer_is_refused(offer_with_addons):
    offer, archiving, _conferencing = offer_with_addons
    form = AddToCartForm({"plan": str(archiving.pk), "quantity": "3"}, offer=offer)
    assert form.errors["plan"] == ["Il piano scelto non corrisponde all'offerta."]
