"""Content-Security-Policy, Permissions-Policy and the favicon, as the browser gets them."""

import pytest
from django.urls import reverse

from storefront.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_every_page_forbids_inline_script_and_style_and_unused_browser_features(client):
    response = client.get(reverse("login"))

    policy = dict(
        directive.strip().split(" ", 1)
        for directive in response["Content-Security-Policy"].split(";")
    )
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["object-src"] == "'none'"
    assert policy["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    permissions = response["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()"):
        assert feature in permissions


def test_no_storefront_template_has_inline_script_or_style(client):
    client.force_login(UserFactory())
    html = client.get(reverse("catalog:index")).content.decode()

    assert "<script>" not in html and "<style" not in html and " style=" not in html


def test_the_favicon_is_served(client):
    html = client.get(reverse("login")).content.decode()

    assert 'rel="icon"' in html
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"\x00\x00\x01\x00")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_page_fixture_sees_a_csp_violation(page):
    # Given a page of the storefront, with its policy
    page.goto(f"{page.live_server_url}{reverse('login')}")

    # When something tries an inline style and an inline script
    page.evaluate(
        """() => {
          const script = document.createElement("script");
          script.textContent = "window.injected = true";
          document.body.append(script);
          document.body.setAttribute("style", "color: red");
        }"""
    )
    page.wait_for_function("() => true")

    # Then the browser refused both and the fixture collected them (then cleared for teardown)
    assert page.evaluate("window.injected") is None
    assert any("script-src" in violation for violation in page.csp_violations)
    page.csp_violations.clear()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_admin_works_under_the_policy(page, monkeypatch):
    """Django's admin (and the order admin's own HTML) needs no inline script or style: the
    ``page`` fixture fails the test on any violation."""
    from orders.tasks import order_provision_task
    from orders.tests.factories import placed_order
    from storefront.tests.factories import DEFAULT_PASSWORD, StaffUserFactory

    monkeypatch.setattr(order_provision_task, "delay", lambda order_id: None)
    order = placed_order()
    staff = StaffUserFactory(is_superuser=True)
    page.goto(f"{page.live_server_url}/admin/login/")
    page.fill("#id_username", staff.email)
    page.fill("#id_password", DEFAULT_PASSWORD)
    page.locator("input[type=submit]").click()
    page.wait_for_load_state()
    assert "/admin/login/" not in page.url

    for url in (
        "/admin/",
        reverse("admin:orders_order_changelist"),
        reverse("admin:orders_order_change", args=[order.pk]),
        reverse("admin:catalog_product_changelist"),
    ):
        page.goto(f"{page.live_server_url}{url}")
        page.wait_for_load_state()
        assert page.locator("#content").count() == 1, url
        if url.endswith(f"/{order.pk}/change/"):
            assert order.number in page.content()

    assert page.csp_violations == []
