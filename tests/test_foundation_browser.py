import pytest

from storefront.tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ITALIAN_NAVIGATION = ["Catalogo", "Carrello", "Ordini", "Sottoscrizioni", "Clienti"]
ENGLISH_NAVIGATION = ["Catalog", "Cart", "Orders", "Subscriptions", "Customers"]


def navigation_labels(page) -> list[str]:
    return [
        label.strip() for label in page.locator("#main-nav a.nav-link[data-nav]").all_inner_texts()
    ]


def test_sign_in_in_chromium_shows_italian_navigation_and_switches_to_english(signed_in_page):
    user = UserFactory(first_name="Giulia")

    page = signed_in_page(user)

    assert page.url.endswith("/catalogo/")
    assert navigation_labels(page) == ITALIAN_NAVIGATION
    assert page.locator("html").get_attribute("lang") == "it"

    page.select_option("#language-select", "en")
    page.wait_for_url("**/catalogo/")
    page.wait_for_selector("html[lang=en]")
    assert navigation_labels(page) == ENGLISH_NAVIGATION
    user.refresh_from_db()
    assert user.language == "en"


def test_wrong_password_in_chromium_keeps_the_email_and_says_why(page):
    user = UserFactory()
    page.goto(f"{page.live_server_url}/accounts/login/")
    page.get_by_label("E-mail").fill(user.email)
    page.get_by_label("Password").fill("non-questa")
    page.get_by_role("button", name="Accedi").click()

    assert page.get_by_label("E-mail").input_value() == user.email
    assert "Inserisci" in page.locator(".alert-danger, .invalid-feedback").first.inner_text()
