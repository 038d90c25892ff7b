"""Hostile input: the payloads, the forms (and queries) that get them field by field, and what a
safe answer is. Each area's module (test_<area>.py) sends them to the forms of its namespaces."""

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote, urlencode

from django.test import Client
from django.utils.http import url_has_allowed_host_and_scheme

from storefront.tests.factories import DEFAULT_PASSWORD
from tenants.tests.factories import VALID_MPN_ID, company_data
from tests.abuse.routes import (
    NO_DATA,
    area_of,
    latest_terms_data,
    plan_renewal_data,
    subscription_change_data,
)
from tests.abuse.world import ALFA, ANONYMOUS, NEW_PASSWORD, World

# --- Hostile input ------------------------------------------------------------------------------

SCRIPT = "<script>alert(1)</script>"
IMAGE = '"><img src=x onerror=alert(1)>'
ESCAPED_SCRIPT = "&lt;script&gt;alert(1)&lt;/script&gt;"
MISSING = object()


@dataclass(frozen=True)
class Raw:
    """A value sent percent-encoded as is: bytes no test client would encode for us."""

    encoded: str


@dataclass(frozen=True)
class AsJson:
    """The whole submission as a JSON body, the field a list, where a form is expected."""

    value: list


PAYLOADS = {
    "script": SCRIPT,
    "image": IMAGE,
    "10k": SCRIPT + "x" * (10_000 - len(SCRIPT)),
    "nul": f"{SCRIPT}\x00",
    # A lone surrogate (U+D800 as UTF-8 would spell it) and bytes that are no UTF-8 at all.
    "surrogate": Raw("%ED%A0%80%FF%FE" + quote(SCRIPT)),
    "bidi-emoji": "\u202eevil😀e\u0301",
    "negative": "-1",
    "huge": "9" * 40,
    "array": ["1", SCRIPT],
    "javascript-url": "javascript:alert(1)",
    "offsite-url": "https://evil.example/",
    "missing": MISSING,
    "json-body": AsJson(["1", SCRIPT]),
}


FREE_TEXT_COMPANY_FIELDS = (
    "company_name",
    "address_line",
    "city",
    "contact_first_name",
    "contact_last_name",
)


@dataclass(frozen=True)
class FormEndpoint:
    """A form (or a query) and the user who sends it. Each field of ``valid``, and each of
    ``extra``, gets the hostile value in turn while the others keep ``valid``'s values.
    ``echoed``: the fields whose text the page shows back."""

    id: str
    url_name: str
    method: str
    role: str
    valid: Callable[[World], dict]
    extra: tuple[str, ...] = ()
    echoed: tuple[str, ...] = ()
    kwargs: Callable[[World], dict] = NO_DATA
    calls_partner_center: bool = False

    def fields(self, world: World) -> tuple[str, ...]:
        return (*self.valid(world), *self.extra)


FORM_ENDPOINTS = [
    FormEndpoint(
        "add-to-cart",
        "checkout:cart_add",
        "POST",
        ALFA,
        valid=lambda world: {
            "plan": world.base_plan.pk,
            "quantity": "2",
            "addons": [world.other_addon_plan.pk],
            f"addon_quantity_{world.other_addon_plan.pk}": "2",
        },
        echoed=("quantity",),
    ),
    FormEndpoint(
        "line-quantity",
        "checkout:line_set_quantity",
        "POST",
        ALFA,
        kwargs=lambda world: {"line_id": world.alfa.base_line.pk},
        valid=lambda world: {"quantity": "6"},
        echoed=("quantity",),
    ),
    FormEndpoint(
        "line-add-on",
        "checkout:line_add_addon",
        "POST",
        ALFA,
        kwargs=lambda world: {"line_id": world.alfa.base_line.pk},
        valid=lambda world: {"plan": world.other_addon_plan.pk, "quantity": "2"},
    ),
    FormEndpoint(
        "checkout-start",
        "checkout:checkout_start",
        "POST",
        ALFA,
        valid=latest_terms_data,
    ),
    FormEndpoint(
        "wizard-customer",
        "purchase:customer",
        "POST",
        ALFA,
        valid=lambda world: {"choice": "new", "action": "next"},
        extra=("customer",),
    ),
    FormEndpoint(
        "wizard-company",
        "purchase:company",
        "POST",
        ALFA,
        valid=lambda world: {**company_data(), "action": "next"},
        # Free text (names, address, city) is valid as typed; the country is a <select>.
        echoed=tuple(set(company_data()) - {*FREE_TEXT_COMPANY_FIELDS, "country"}),
    ),
    FormEndpoint(
        "wizard-tenant",
        "purchase:tenant",
        "POST",
        ALFA,
        valid=lambda world: {"tenant_domain_prefix": world.alfa.draft_prefix, "action": "next"},
        echoed=("tenant_domain_prefix",),
        calls_partner_center=True,
    ),
    FormEndpoint(
        "wizard-partner",
        "purchase:partner",
        "POST",
        ALFA,
        valid=lambda world: {"mpn_id": VALID_MPN_ID, "action": "next"},
        echoed=("mpn_id",),
        calls_partner_center=True,
    ),
    FormEndpoint(
        "wizard-confirm",
        "purchase:confirm",
        "POST",
        ALFA,
        valid=lambda world: {"checkout_token": str(world.alfa.cart.checkout_token)},
        extra=("action",),
    ),
    FormEndpoint(
        "prefix-check-json",
        "purchase:prefix_check",
        "GET",
        ALFA,
        valid=lambda world: {"prefix": "nuovaimpresa"},
        calls_partner_center=True,
    ),
    FormEndpoint(
        "relationship-check",
        "tenants:customer_relationship_check",
        "POST",
        ALFA,
        kwargs=lambda world: {"pk": world.alfa.pending_customer.pk},
        valid=lambda world: {"next": "/clienti/"},
        calls_partner_center=True,
    ),
    FormEndpoint(
        "language-switch",
        "language_switch",
        "POST",
        ANONYMOUS,
        valid=lambda world: {"language": "en", "next": "/catalogo/"},
    ),
    FormEndpoint(
        "login",
        "login",
        "POST",
        ANONYMOUS,
        valid=lambda world: {"username": world.alfa.user.email, "password": "sbagliata"},
        extra=("next",),
        echoed=("username",),
    ),
    FormEndpoint(
        "admin-login",  # the same Django sign-in form, and the same django-axes records
        "admin:login",
        "POST",
        ANONYMOUS,
        valid=lambda world: {"username": world.staff.email, "password": "sbagliata"},
        echoed=("username",),
    ),
    FormEndpoint(
        "login-next",
        "login",
        "GET",
        ANONYMOUS,
        valid=lambda world: {"next": "/carrello/"},
        echoed=("next",),
    ),
    FormEndpoint(
        "password-reset",
        "password_reset",
        "POST",
        ANONYMOUS,
        valid=lambda world: {"email": world.alfa.user.email},
        echoed=("email",),
    ),
    FormEndpoint(
        "password-change",
        "password_change",
        "POST",
        ALFA,
        valid=lambda world: {
            "old_password": DEFAULT_PASSWORD,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    ),
    FormEndpoint(
        "customer-search",
        "tenants:customer_list",
        "GET",
        ALFA,
        valid=lambda world: {"q": "Cliente", "page": "1"},
        echoed=("q",),
    ),
    FormEndpoint(
        "order-filters",
        "orders:order_list",
        "GET",
        ALFA,
        valid=lambda world: {"stato": "placed", "pagina": "1"},
    ),
    FormEndpoint(
        "subscription-filters",
        "subscriptions:subscription_list",
        "GET",
        ALFA,
        valid=lambda world: {
            "q": "Business",
            "cliente": world.alfa.customer.pk,
            "prodotto": world.alfa.subscription.product_id,
            "stato": "active",
            "finestra": "on",
            "rinnovo": "on",
            "senza_rinnovo": "on",
            "pagina": "1",
        },
        echoed=("q",),
    ),
    *(
        FormEndpoint(
            f"subscription-{name}",
            f"subscriptions:{name}",
            "POST",
            ALFA,
            kwargs=lambda world: {"pk": world.alfa.subscription.pk},
            valid=valid,
            echoed=echoed,
        )
        for name, valid, echoed in (
            ("add_seats", lambda world: subscription_change_data(seats="2"), ("seats",)),
            ("remove_seats", lambda world: subscription_change_data(seats="1"), ("seats",)),
            (
                "cancel",
                lambda world: subscription_change_data(confirm_name=world.alfa.subscription.title),
                (),
            ),
            ("auto_renew", lambda world: subscription_change_data(enabled="off"), ()),
            ("plan_renewal", lambda world: plan_renewal_data(world, quantity="3"), ("quantity",)),
        )
    ),
    *(
        FormEndpoint(
            f"subscription-{name}",
            f"subscriptions:{name}",
            "POST",
            ALFA,
            kwargs=lambda world: {"pk": world.alfa.subscription.pk},
            valid=valid,
            echoed=echoed,
        )
        for name, valid, echoed in (
            (
                "upgrade",
                lambda world: subscription_change_data(
                    target="CFQ7TTC0LCHC:0002", seats="2", destination=""
                ),
                (),  # no target stored: the page shows no form to echo into
            ),
            ("suspend", lambda world: subscription_change_data(), ()),
            ("reactivate", lambda world: subscription_change_data(), ()),
        )
    ),
    FormEndpoint(
        "reminder-preferences",
        "subscriptions:reminder_preferences",
        "POST",
        ALFA,
        valid=lambda world: {"renewed": "on", "window_closing": "on"},
    ),
    FormEndpoint(
        "catalog-search",
        "catalog:index",
        "GET",
        ALFA,
        valid=lambda world: {"q": "Business"},
        echoed=("q",),
    ),
]


def hostile_request(client: Client, method: str, url: str, data: dict, name: str, payload):
    """``data`` with ``name`` set to ``payload`` (or left out), sent as a browser would not."""
    others = [(key, value) for key, value in data.items() if key != name]
    if isinstance(payload, AsJson):
        body = json.dumps({**dict(others), name: payload.value})
        return client.generic(method, url, body, content_type="application/json")
    encoded = urlencode(others, doseq=True)
    if isinstance(payload, Raw):
        encoded = f"{encoded}&{quote(name)}={payload.encoded}"
    elif payload is not MISSING:
        encoded = urlencode([*others, (name, payload)], doseq=True)
    if method == "GET":
        return client.get(f"{url}?{encoded}")
    return client.post(url, encoded, content_type="application/x-www-form-urlencoded")


# What gunicorn accepts in a header value: it refuses to send anything else, and that is a 500.
SENDABLE_HEADER_VALUE = re.compile(r"[ \t\x21-\x7e\x80-\xff]*")


def assert_safe_answer(response, *, where: str) -> str:
    """Never a 500; HTML never carries the payload unescaped; redirects stay on the site."""
    assert response.status_code < 500, where
    for name, value in response.items():
        assert SENDABLE_HEADER_VALUE.fullmatch(value), f"{where}: header {name}"
    body = response.content.decode()
    if response.get("Content-Type", "").startswith("application/json"):
        json.loads(body)
        assert response["X-Content-Type-Options"] == "nosniff", where
    else:
        assert SCRIPT not in body, where
        assert IMAGE not in body, where
    if response.status_code in (301, 302, 303):
        location = response["Location"]
        assert url_has_allowed_host_and_scheme(location, allowed_hosts={"testserver"}), where
    return body


def forms_of(area: str) -> list[FormEndpoint]:
    return [form for form in FORM_ENDPOINTS if area_of(form.url_name) == area]
