"""Each page in its own language: Partner Center's status words translated, the distributor's
product descriptions in the page's language (Microsoft's English SKU text kept off Italian pages),
and dates written the language's way (Italian lower case, English never 12/02/2026)."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from catalog.services import catalog_load_demo
from orders.tests.factories import order_ready_for_emails
from storefront.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

WEDNESDAY = datetime(2026, 12, 2, 10, 5, tzinfo=ZoneInfo("Europe/Rome"))


def render_date(language: str, date_format: str) -> str:
    with translation.override(language):
        return Template(f'{{{{ day|date:"{date_format}" }}}}').render(Context({"day": WEDNESDAY}))


@pytest.mark.parametrize(
    ("language", "date_format", "expected"),
    [
        ("it", "DATE_FORMAT", "2 dicembre 2026"),
        ("it", "DATETIME_FORMAT", "2 dicembre 2026, 10:05"),
        ("it", "SHORT_DATE_FORMAT", "02/12/2026"),
        ("it", "l j F", "mercoledì 2 dicembre"),
        ("en", "DATE_FORMAT", "2 December 2026"),
        ("en", "DATETIME_FORMAT", "2 December 2026, 10:05"),
        ("en", "SHORT_DATE_FORMAT", "2 Dec 2026"),
        ("en", "SHORT_DATETIME_FORMAT", "2 Dec 2026, 10:05"),
    ],
)
def test_dates_are_written_the_way_of_each_language(language, date_format, expected):
    assert render_date(language, date_format) == expected


def as_user_in(client, user, language: str):
    user.language = language
    user.save(update_fields=["language"])
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    ("language", "status", "started"),
    [("it", "attiva", "29/11/2026"), ("en", "active", "29 Nov 2026")],
)
def test_the_order_detail_tells_the_subscription_status_in_the_page_language(
    client, language, status, started
):
    order = order_ready_for_emails()
    as_user_in(client, order.user, language)

    page = client.get(reverse("orders:order_detail", args=[order.pk])).content.decode()

    assert f'<small class="text-muted" data-subscription-status>{status} · {started}' in page


@pytest.mark.parametrize(
    ("language", "shown", "not_shown"),
    [
        (
            "it",
            "Tutto di Business Basic più le app desktop di Office",
            ["Everything in Business Basic", "Desktop versions of Word"],
        ),
        (
            "en",
            "Everything in Business Basic plus the Office desktop apps",
            ["Tutto di Business Basic"],
        ),
    ],
)
def test_product_descriptions_are_in_the_page_language(client, language, shown, not_shown):
    catalog_load_demo()
    as_user_in(client, UserFactory(), language)

    index = client.get(reverse("catalog:index")).content.decode()
    product = client.get(reverse("catalog:product", args=["CFQ7TTC0LDPB"])).content.decode()

    assert shown in index and shown in product
    for text in not_shown:
        assert text not in index and text not in product
