"""Every storefront page in Chromium, at 1366 and 375 px, in Italian and in English: axe-core
finds no serious or critical violation, nothing is wider than a phone's screen, the browser
reports no Content-Security-Policy violation, and no two pages share a title."""

import pytest
from django.urls import reverse

from orders.models import OrderStatus
from orders.services import order_set_status
from orders.services.status import Failure
from orders.tasks import order_provision_task
from orders.tests.factories import (
    BUSINESS_STANDARD,
    checked_out_cart,
    fabrikam_customer,
    new_tenant_customer,
    order_user,
    placed_order,
)
from storefront.tests.factories import UserFactory
from subscriptions.models import Subscription
from subscriptions.tests.factories import mirrored_subscription
from tenants.tests.factories import FABRIKAM_NAME, FABRIKAM_PREFIX, draft_ready_to_confirm
from tests.fixtures.pagecheck import check_page, language_problems

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONGEST_PREFIX = "nuovaimpresaitalianasrl2026"  # 27 characters, the most a prefix may have


def order_in(user, status: str, **kwargs):
    order = placed_order(user=user, **kwargs)
    if status in (OrderStatus.ACTIVE, OrderStatus.FAILED):
        order_set_status(order_id=order.pk, to_status=OrderStatus.PROVISIONING, actor="worker")
    failure = Failure(reason="mpn_invalid", code="1001") if status == OrderStatus.FAILED else None
    if status != OrderStatus.PLACED:
        order_set_status(order_id=order.pk, to_status=status, actor="worker", failure=failure)
    return order


@pytest.fixture
def shop(monkeypatch):
    """A reseller with orders in every state the reseller sees, customers, and a cart with an
    add-on line at the confirmation step of the wizard."""
    monkeypatch.setattr(order_provision_task, "delay", lambda order_id: None)
    user = order_user()
    orders = {
        status: order_in(user, status)
        for status in (
            OrderStatus.PLACED,
            OrderStatus.FAILED,
        )
    }
    # The longest tenant domain there can be, on the pages that show it (order, customer,
    # subscription): it must wrap on a phone, not widen the page.
    orders[OrderStatus.ACTIVE] = order_in(
        user,
        OrderStatus.ACTIVE,
        customer=new_tenant_customer(reseller=user.reseller, prefix=LONGEST_PREFIX),
    )
    orders[OrderStatus.AWAITING_RELATIONSHIP] = order_in(
        user,
        OrderStatus.AWAITING_RELATIONSHIP,
        customer=fabrikam_customer(reseller=user.reseller),
    )
    cart = checked_out_cart(user=user, addon_quantity=5)
    mirrored_subscription(order=orders[OrderStatus.ACTIVE])
    draft_ready_to_confirm(
        cart=cart,
        prefix=FABRIKAM_PREFIX,
        is_taken=True,
        partner_center_company_name=FABRIKAM_NAME,
        company_name="Fabrikam Srl",
    )
    return user, orders, cart


def storefront_urls(orders, cart) -> list[str]:
    new_customer = orders[OrderStatus.ACTIVE].customer
    waiting_customer = orders[OrderStatus.AWAITING_RELATIONSHIP].customer
    urls = [
        reverse("catalog:index"),
        reverse("catalog:product", args=[BUSINESS_STANDARD[0]]),
        reverse("checkout:cart"),
        reverse("checkout:cart_added", args=[cart.lines.first().pk]),
        reverse("checkout:terms"),
        reverse("purchase:customer"),
        reverse("purchase:company"),
        reverse("purchase:tenant"),
        reverse("purchase:partner"),
        reverse("purchase:confirm"),
        reverse("orders:order_list"),
        reverse("tenants:customer_list"),
        reverse("tenants:customer_detail", args=[new_customer.pk]),
        reverse("tenants:customer_detail", args=[waiting_customer.pk]),
        reverse("profile"),
        reverse("password_change"),
        "/pagina-che-non-esiste/",
    ]
    for order in orders.values():
        urls.append(reverse("orders:order_placed", args=[order.pk]))
    urls.append(reverse("orders:order_detail", args=[orders[OrderStatus.FAILED].pk]))
    subscription = Subscription.objects.get(order=orders[OrderStatus.ACTIVE])
    urls.append(reverse("subscriptions:subscription_list"))
    urls.append(reverse("subscriptions:renewal_list"))
    urls.append(reverse("subscriptions:reminder_preferences"))
    for name in (
        "subscription_detail",
        "add_seats",
        "remove_seats",
        "cancel",
        "auto_renew",
        "plan_renewal",
        "upgrade",
        "suspend",
        "reactivate",
    ):
        urls.append(reverse(f"subscriptions:{name}", args=[subscription.pk]))
    return urls


ANONYMOUS_URL_NAMES = ("login", "password_reset")


def report(problems: dict[str, list[str]]) -> str:
    return "\n".join(f"{url}\n  " + "\n  ".join(lines) for url, lines in problems.items())


def walk(page, urls: list[str], language: str) -> tuple[dict[str, list[str]], dict[str, str]]:
    problems, titles = {}, {}
    for url in urls:
        page.goto(f"{page.live_server_url}{url}")
        page.wait_for_load_state()
        titles[url] = page.title()
        found = check_page(page) + language_problems(page, language)
        if found:
            problems[url] = found
    return problems, titles


@pytest.mark.parametrize("language", ["it", "en"])
def test_every_storefront_page_passes_axe_fits_a_phone_and_has_its_own_title(
    pc_sandbox, shop, signed_in_page, language
):
    user, orders, cart = shop
    user.language = language
    user.save(update_fields=["language"])
    page = signed_in_page(user)

    problems, titles = walk(page, storefront_urls(orders, cart), language)

    assert not problems, report(problems)
    duplicated = {
        url: title for url, title in titles.items() if list(titles.values()).count(title) > 1
    }
    assert duplicated == {}


@pytest.mark.parametrize("language", ["it", "en"])
def test_signed_out_pages_pass_axe_and_fit_a_phone(page, language):
    page.goto(f"{page.live_server_url}{reverse('login')}")
    page.select_option("#language-select", language)
    page.wait_for_selector(f"html[lang={language}]")
    urls = [reverse(name) for name in ANONYMOUS_URL_NAMES]

    problems, titles = walk(page, urls, language)

    # And a refused sign-in, as a person sees it
    UserFactory(email="giulia@rivenditore.example")
    page.goto(f"{page.live_server_url}{reverse('login')}")
    page.locator("#id_username").fill("giulia@rivenditore.example")
    page.locator("#id_password").fill("non-questa")
    page.locator("main button[type=submit]").click()
    page.wait_for_load_state()
    refused = check_page(page)

    assert not problems, report(problems)
    assert refused == []
    assert len(set(titles.values())) == len(titles)


@pytest.mark.parametrize("language", ["it", "en"])
def test_a_new_tenant_with_the_longest_prefix_fits_the_confirmation_on_a_phone(
    signed_in_page, language
):
    # Given a cart at «Conferma» for a new tenant whose prefix is as long as a prefix can be
    user = order_user()
    user.language = language
    user.save(update_fields=["language"])
    draft_ready_to_confirm(cart=checked_out_cart(user=user), prefix=LONGEST_PREFIX)
    page = signed_in_page(user)

    # When the confirmation is shown
    page.goto(f"{page.live_server_url}{reverse('purchase:confirm')}")

    # Then the domain, in the page and in the «Caso B» box, wraps: nothing is wider than a phone
    assert page.locator("[data-tenant-branch=B]").inner_text().count(LONGEST_PREFIX) == 1
    assert check_page(page) == []
