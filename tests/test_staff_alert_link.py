"""The staff alert's link to the failed order opens it: absolute, from SITE_URL."""

import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from notifications.models import Email
from notifications.rendering import render_email
from orders.models import OrderStatus
from orders.services import Failure, order_set_status
from orders.tests.factories import placed_order

pytestmark = pytest.mark.django_db

BASE_DIR = Path(__file__).resolve().parent.parent


def test_the_staff_alert_links_the_order_with_an_absolute_address(settings):
    # Given the storefront reached at https://negozio.distributore.example and an order failing
    settings.SITE_URL = "https://negozio.distributore.example"
    order = placed_order()
    for status in (OrderStatus.PROVISIONING, OrderStatus.FAILED):
        order_set_status(
            order_id=order.pk,
            to_status=status,
            actor="worker",
            failure=Failure(reason="mpn_invalid", code="900154", detail="MPN non attivo"),
        )
    alert = Email.objects.get(order=order, kind=Email.Kind.STAFF_FAILURE_ALERT)

    # When the alert is written
    message = render_email(alert)

    # Then both parts carry the full address of the order in the admin, the HTML as a link
    url = "https://negozio.distributore.example" + reverse(
        "admin:orders_order_change", args=[order.pk]
    )
    html = message.alternatives[0][0]
    assert f"amministrazione: {url}\n" in message.body
    assert f'<a href="{url}">{url}</a>' in html


@pytest.mark.parametrize(
    ("environment", "expected"),
    [
        ({"DJANGO_ENV": "development"}, "http://127.0.0.1:8000"),
        (
            {"DJANGO_ENV": "development", "SITE_URL": "https://shop.example/"},
            "https://shop.example",
        ),
        (
            {
                "DJANGO_ENV": "production",
                "SECRET_KEY": "k" * 50,
                "FIELD_ENCRYPTION_KEY": "f" * 44,
                "ALLOWED_HOSTS": "negozio.example.it,localhost",
                "REDIS_URL": "redis://127.0.0.1:6379/0",  # production's broker; never opened
            },
            "https://negozio.example.it",
        ),
    ],
)
def test_site_url_comes_from_the_environment_with_a_default_per_environment(environment, expected):
    code = "from django.conf import settings; print(settings.SITE_URL)"
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        env={
            "PATH": "/usr/bin:/bin",
            "DJANGO_SETTINGS_MODULE": "storefront.settings",
            **environment,
        },
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.stdout.strip() == expected, result.stderr
