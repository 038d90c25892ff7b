"""Error pages in the reseller's language, each with its own title, and none of Django's English
defaults (whose CSRF page also carries an inline style the policy refuses)."""

import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse
from django.utils import translation

from storefront.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def title_of(html: str) -> str:
    return html.split("<title>", 1)[1].split("</title>", 1)[0]


def test_a_missing_page_says_so_in_italian(client):
    client.force_login(UserFactory())

    response = client.get("/pagina-che-non-esiste/")

    assert response.status_code == 404
    assert title_of(response.content.decode()) == "Pagina non trovata · CSP Storefront"


def test_a_missing_page_says_so_in_english(client):
    client.force_login(UserFactory(language="en"))

    response = client.get("/pagina-che-non-esiste/")

    assert title_of(response.content.decode()) == "Page not found · CSP Storefront"


def test_a_form_without_its_csrf_token_is_explained_in_italian():
    response = Client(enforce_csrf_checks=True).post(
        reverse("login"), {"username": "a@b.example", "password": "x"}
    )

    assert response.status_code == 403
    html = response.content.decode()
    assert title_of(html) == "Modulo scaduto · CSP Storefront"
    assert "style=" not in html


def test_the_server_error_page_needs_no_request_and_has_its_title():
    with translation.override("it"):
        html = render_to_string("500.html")

    assert title_of(html) == "Errore del server · CSP Storefront"
    assert "style=" not in html and "<script" not in html
