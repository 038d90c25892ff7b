"""Abuse proof: every URL × role × method, CSRF on every POST, hostile input
(docs/product.md#quality-bars).

ROUTES names every URL of the project (the admin's and static files apart) with how to fill it
and what each role gets. A URL added without an entry fails ``test_every_url_is_in_the_table``:
new pages are checked from the day they exist.

The data: two resellers, Alfa and Beta, each with a user, a placed order, two customers (a new
tenant, ordered; an existing tenant waiting for the relationship) and an open cart with a base
line and its add-on line, after «Checkout >>», with the wizard's draft complete. Gamma, built the
same way, then deactivated by staff: its user may sign in and out, nothing else. A staff user
without reseller, and anonymous visitors. It is built once for the module inside a transaction
rolled back at the end; each test runs in a savepoint of it (pytest-django), so whatever a request
changes is changed for that test only.
"""

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import quote, urlencode

import pytest
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.db import connection, transaction
from django.test import Client
from django.urls import URLResolver, get_resolver, reverse
from django.utils.crypto import get_random_string
from django.utils.encoding import force_bytes
from django.utils.http import url_has_allowed_host_and_scheme, urlsafe_base64_encode

from catalog.models import Plan
from checkout.models import Cart, CartLine, TermsAcceptance
from checkout.selectors import terms_latest
from orders.models import Order, OrderEvent, OrderLine
from orders.tests.factories import (
    ARCHIVING,
    BUSINESS_BASIC,
    BUSINESS_STANDARD,
    checked_out_cart,
    fabrikam_customer,
    placed_order,
    sandbox_plan,
)
from purchase.models import PurchaseDraft
from storefront.models import Reseller, User
from storefront.tests.factories import (
    DEFAULT_PASSWORD,
    ResellerFactory,
    StaffUserFactory,
    UserFactory,
)
from subscriptions.models import ChangeRequest, Subscription
from subscriptions.tests.factories import mirrored_subscription
from tenants.models import Customer
from tenants.tests.factories import (
    CONTOSO_PREFIX,
    VALID_MPN_ID,
    VALID_RESELLER_TENANT_ID,
    CustomerFactory,
    company_data,
    draft_ready_to_confirm,
)

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

DEFENDER = ("CFQ7TTC0LHSV", "0001", "Microsoft Defender for Office 365 (Plan 1)", "24.00")
LOGIN_URL = "/accounts/login/"
NEW_PASSWORD = "Nuova-password-lunga-2027"

ANONYMOUS, ALFA, BETA, STAFF = "anonymous", "alfa-own", "beta-on-alfa", "staff"
DEACTIVATED = "gamma-deactivated"
ROLES = (ANONYMOUS, ALFA, BETA, STAFF, DEACTIVATED)
METHODS = ("GET", "POST", "HEAD")


# --- Data ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Side:
    """One reseller's rows, and the text that only its own pages may show."""

    user: User
    order: Order
    customer: Customer  # a new tenant, the order's
    pending_customer: Customer  # an existing tenant whose relationship is not accepted yet
    cart: Cart  # open, «Checkout >>» done, the wizard's draft complete
    base_line: CartLine
    addon_line: CartLine
    draft_prefix: str
    subscription: Subscription  # the order's base subscription, in the mirror
    secrets: tuple[str, ...]


@dataclass(frozen=True)
class World:
    alfa: Side
    beta: Side
    gamma: Side  # its reseller deactivated by staff
    staff: User
    sessions: dict[str, str]  # role → session key, signed in once for the module
    base_plan: Plan  # Business Standard: the base line of both carts
    other_plan: Plan  # Business Basic: in no cart
    other_addon_plan: Plan  # Defender: an add-on of the carts' base plan, in no cart


def build_side(*, name: str, slug: str, mpn_id: str, partner_center_tenant_id: str) -> Side:
    reseller = ResellerFactory(
        company_name=f"{name} Distribuzione S.r.l.",
        mpn_id=mpn_id,
        partner_center_tenant_id=partner_center_tenant_id,
        markup_percent_override=Decimal("0"),
        notification_email=f"ordini@{slug}.example",
    )
    user = UserFactory(reseller=reseller, email=f"mario@{slug}.example")
    customer = CustomerFactory(
        reseller=reseller,
        company_name=f"Cliente {name} S.r.l.",
        tenant_domain_prefix=f"{slug}cliente",
    )
    pending_customer = fabrikam_customer(reseller=reseller)
    order = placed_order(user=user, customer=customer, addon_quantity=2)
    subscription = mirrored_subscription(order=order, title=f"Sottoscrizione {name} Business")
    cart = checked_out_cart(user=user, quantity=5, addon_quantity=3)
    draft_prefix = f"{slug}bozza"
    draft_ready_to_confirm(
        cart=cart, prefix=draft_prefix, company_name=f"Bozza {name} S.r.l.", mpn_id=mpn_id
    )
    return Side(
        user=user,
        order=order,
        customer=customer,
        pending_customer=pending_customer,
        cart=cart,
        base_line=cart.lines.get(base_line=None),
        addon_line=cart.lines.exclude(base_line=None).get(),
        draft_prefix=draft_prefix,
        subscription=subscription,
        secrets=(
            subscription.title,
            subscription.partner_center_id,
            reseller.company_name,
            user.email,
            customer.company_name,
            f"Bozza {name} S.r.l.",
            f"{slug}cliente",
            draft_prefix,
            order.number,
            str(cart.checkout_token),
            str(order.cart.checkout_token),
        ),
    )


def session_key(user: User) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Built once, in a transaction that every test's savepoint sits in, rolled back at the end."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            base_plan = sandbox_plan(BUSINESS_STANDARD)
            sandbox_plan(ARCHIVING, prerequisite=base_plan)
            # An MPN ID and a Partner Center tenant belong to one reseller: Alfa has the
            # sandbox's valid ones, Beta its own.
            alfa = build_side(
                name="Alfa",
                slug="alfa",
                mpn_id=VALID_MPN_ID,
                partner_center_tenant_id=VALID_RESELLER_TENANT_ID,
            )
            beta = build_side(
                name="Beta",
                slug="beta",
                mpn_id="8765432",
                partner_center_tenant_id="8e7f1b6d-0a2c-4d3e-8f5a-6b7c8d9e0f1a",
            )
            gamma = build_side(
                name="Gamma",
                slug="gamma",
                mpn_id="7654321",
                partner_center_tenant_id="5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a",
            )
            Reseller.objects.filter(pk=gamma.user.reseller_id).update(is_active=False)
            staff = StaffUserFactory(email="staff@distributore.example")
            users = {ALFA: alfa.user, BETA: beta.user, STAFF: staff, DEACTIVATED: gamma.user}
            yield World(
                alfa=alfa,
                beta=beta,
                gamma=gamma,
                staff=staff,
                sessions={role: session_key(user) for role, user in users.items()},
                base_plan=base_plan,
                other_plan=sandbox_plan(BUSINESS_BASIC),
                other_addon_plan=sandbox_plan(DEFENDER, prerequisite=base_plan),
            )
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def snapshot_query() -> str:
    """Every row a reseller owns, as text, by table: one query, read before and after a request.

    Users without ``last_login``: signing in (the sign-in page is in the table) is no change.
    """
    tables = {
        "user": User._meta.db_table,
        "cart": Cart._meta.db_table,
        "cart_line": CartLine._meta.db_table,
        "draft": PurchaseDraft._meta.db_table,
        "terms_acceptance": TermsAcceptance._meta.db_table,
        "customer": Customer._meta.db_table,
        "order": Order._meta.db_table,
        "order_line": OrderLine._meta.db_table,
        "order_event": OrderEvent._meta.db_table,
        "subscription": Subscription._meta.db_table,
        "change_request": ChangeRequest._meta.db_table,
    }
    by_reseller = {
        "users": "SELECT t.reseller_id, ROW(t.id, t.email, t.password, t.language, t.is_active)"
        "::text, t.id FROM {user} t",
        "carts": "SELECT t.reseller_id, t::text, t.id FROM {cart} t",
        "cart lines": "SELECT c.reseller_id, t::text, t.id FROM {cart_line} t "
        "JOIN {cart} c ON c.id = t.cart_id",
        "drafts": "SELECT c.reseller_id, t::text, t.id FROM {draft} t "
        "JOIN {cart} c ON c.id = t.cart_id",
        "terms acceptances": "SELECT t.reseller_id, t::text, t.id FROM {terms_acceptance} t",
        "customers": "SELECT t.reseller_id, t::text, t.id FROM {customer} t",
        "orders": "SELECT t.reseller_id, t::text, t.id FROM {order} t",
        "order lines": "SELECT o.reseller_id, t::text, t.id FROM {order_line} t "
        "JOIN {order} o ON o.id = t.order_id",
        "order events": "SELECT o.reseller_id, t::text, t.id FROM {order_event} t "
        "JOIN {order} o ON o.id = t.order_id",
        "subscriptions": "SELECT t.reseller_id, t::text, t.id FROM {subscription} t",
        "change requests": "SELECT s.reseller_id, t::text, t.id FROM {change_request} t "
        "JOIN {subscription} s ON s.id = t.subscription_id",
    }
    quoted = {key: connection.ops.quote_name(table) for key, table in tables.items()}
    # Built from the models' table names and the constants above only: nothing typed reaches it.
    union = " UNION ALL ".join(
        f"SELECT '{kind}', * FROM ({query.format(**quoted)}) AS rows"  # noqa: S608
        for kind, query in by_reseller.items()
    )
    return f"{union} ORDER BY 1, 2, 4"


SNAPSHOT_QUERY = snapshot_query()


def rows_by_reseller() -> dict[int, dict[str, list[str]]]:
    rows: dict[int, dict[str, list[str]]] = {}
    with connection.cursor() as cursor:
        cursor.execute(SNAPSHOT_QUERY)
        for kind, reseller_id, row, _row_id in cursor.fetchall():
            rows.setdefault(reseller_id, {}).setdefault(kind, []).append(row)
    return rows


def rows_of(*sides: Side) -> list[dict[str, list[str]]]:
    """Every row the sides' resellers own, whole, to prove that a request changed none of them."""
    rows = rows_by_reseller()
    return [rows.get(side.user.reseller_id, {}) for side in sides]


def signed_in(user: User, **client_options) -> Client:
    client = Client(**client_options)
    client.force_login(User.objects.get(pk=user.pk))  # never the module's instance: it is shared
    return client


def client_for(world: World, role: str, **client_options) -> Client:
    """A client signed in as the role's user, on the session opened once for the module."""
    client = Client(**client_options)
    if role != ANONYMOUS:
        client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[role]
    return client


def no_partner_center(**kwargs):
    raise AssertionError("Partner Center called: mark the route or form calls_partner_center")


def partner_center(request, *, is_called: bool) -> None:
    """The sandbox where a request calls Partner Center; elsewhere any call fails the test."""
    if is_called:
        request.getfixturevalue("pc_sandbox")
    else:
        monkeypatch = request.getfixturevalue("monkeypatch")
        monkeypatch.setattr("partnercenter.services.PartnerCenterClient", no_partner_center)


def untouched_sides(world: World, role: str) -> list[Side]:
    """The other resellers, whose rows a request by ``role`` must neither change nor show."""
    return {ALFA: [world.beta], BETA: [world.alfa]}.get(role, [world.alfa, world.beta])


def unchanged_sides(world: World, role: str, route: "Route") -> list[Side]:
    """The resellers a request by ``role`` must leave exactly as they were: a deactivated
    reseller's user changes nothing behind sign-in, its own reseller's rows included (the public
    pages, its language among them, work for it as for anyone)."""
    others = untouched_sides(world, role)
    if role == DEACTIVATED and route.public is None:
        return [*others, world.gamma]
    return others


def assert_no_secret_of(sides: list[Side], body: str, *, sent: dict) -> None:
    """No text of ``sides`` in ``body``, but what the request itself carried (shown back)."""
    carried = " ".join(str(value) for value in sent.values())
    for side in sides:
        for secret in side.secrets:
            if secret not in carried:
                assert secret not in body, f"{secret!r} of another reseller shown"


# --- The URL table ------------------------------------------------------------------------------

NO_DATA: Callable[[World], dict] = lambda world: {}  # noqa: E731

PAGE = {"GET": 200, "POST": 405, "HEAD": 405}  # require_GET: HEAD too is refused
ACTION = {"GET": 405, "POST": 302, "HEAD": 405}  # require_POST, PRG
STEP = {"GET": 200, "POST": 302, "HEAD": 405}  # wizard steps: GET and POST only
TEMPLATE_VIEW = {"GET": 200, "POST": 405, "HEAD": 200}  # Django's class-based GET pages
ANY_METHOD = {"GET": 200, "POST": 200, "HEAD": 200}


@dataclass(frozen=True)
class Route:
    """A URL of the project: how to fill it, what to send, and what each role gets back.

    ``own``: Alfa's user on Alfa's objects, by method. ``public``: set for the pages that need no
    sign-in (anonymous and staff get it); the others send anonymous visitors to sign in and
    refuse staff (403). ``owns_object``: the URL names one of Alfa's rows, so Beta's user gets a
    404 wherever the method is allowed. Otherwise Beta's user gets ``beta`` (default: ``own``),
    acting on its own cart and draft with ``data`` naming Alfa's rows where the form takes ids.
    """

    name: str
    own: dict[str, int]
    kwargs: Callable[[World], dict] = NO_DATA
    data: Callable[[World], dict] = NO_DATA  # the query (GET, HEAD) or the form (POST)
    public: dict[str, int] | None = None
    owns_object: bool = False
    beta: dict[str, int] = field(default_factory=dict)
    calls_partner_center: bool = False

    def url(self, world: World) -> str:
        return reverse(self.name, kwargs=self.kwargs(world))

    def expected(self, role: str, method: str) -> int:
        if role == DEACTIVATED:
            if self.public is not None:
                return self.public[method]
            return self.own[method] if self.name == "logout" else 403
        if role in (ANONYMOUS, STAFF):
            if self.public is not None:
                return self.public[method]
            return 302 if role == ANONYMOUS else 403
        if role == BETA:
            if self.owns_object:
                return 404 if self.own[method] != 405 else 405
            return self.beta.get(method, self.own[method])
        return self.own[method]


def valid_reset_link(world: World) -> dict:
    user = User.objects.get(pk=world.alfa.user.pk)  # as it is now: signing in changes the token
    return {
        "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
        "token": default_token_generator.make_token(user),
    }


def latest_terms_data(world: World) -> dict:
    return {
        "terms_accepted": "on",
        "terms_version": terms_latest().pk,
        "purchase_type": "resale",
    }


SUBSCRIPTION_CHANGE_KEY = "6f0c3b7e-1d2a-4b5c-8d9e-0f1a2b3c4d5e"


def subscription_change_data(**fields) -> dict:
    return {"idempotency_key": SUBSCRIPTION_CHANGE_KEY, "action": "confirm", **fields}


def plan_renewal_data(world, **fields) -> dict:
    """The renewal plan form naming the subscription's own catalogue plan."""
    from subscriptions.renewal_selectors import plan_options

    subscription = world.alfa.subscription
    (option,) = [
        option
        for option in plan_options(subscription=subscription)
        if (option.product_id, option.sku_id, option.term, option.billing)
        == (subscription.product_id, subscription.sku_id, subscription.term, subscription.billing)
    ]
    return subscription_change_data(target=str(option.plan_id), **fields)


ROUTES = [
    # storefront/
    Route("home", own={"GET": 302, "POST": 302, "HEAD": 302}),
    Route("health", own=ANY_METHOD, public=ANY_METHOD),
    Route(
        "language_switch",
        own=ACTION,
        public=ACTION,
        data=lambda world: {"language": "en", "next": "/carrello/"},
    ),
    Route("profile", own=ANY_METHOD),
    # django.contrib.auth.urls
    Route(
        "login",
        own={"GET": 200, "POST": 302, "HEAD": 200},
        public={"GET": 200, "POST": 302, "HEAD": 200},
        data=lambda world: {"username": world.alfa.user.email, "password": DEFAULT_PASSWORD},
    ),
    Route("logout", own=ACTION),
    Route(
        "password_change",
        own={"GET": 200, "POST": 302, "HEAD": 200},
        data=lambda world: {
            "old_password": DEFAULT_PASSWORD,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    ),
    Route("password_change_done", own=TEMPLATE_VIEW),
    Route(
        "password_reset",
        own={"GET": 200, "POST": 302, "HEAD": 200},
        public={"GET": 200, "POST": 302, "HEAD": 200},
        data=lambda world: {"email": world.alfa.user.email},
    ),
    Route("password_reset_done", own=TEMPLATE_VIEW, public=TEMPLATE_VIEW),
    Route(
        "password_reset_confirm",
        own={"GET": 302, "POST": 302, "HEAD": 302},  # a valid link: on to the password form
        public={"GET": 302, "POST": 302, "HEAD": 302},
        kwargs=valid_reset_link,
    ),
    Route("password_reset_complete", own=TEMPLATE_VIEW, public=TEMPLATE_VIEW),
    # catalog/
    Route("catalog:index", own=PAGE, data=lambda world: {"q": "Business"}),
    Route(
        "catalog:product",
        own=PAGE,
        kwargs=lambda world: {"product_id": world.other_plan.sku.product.product_id},
    ),
    # checkout/
    Route("checkout:cart", own=PAGE),
    Route(
        "checkout:cart_add",
        own=ACTION,
        data=lambda world: {"plan": world.other_plan.pk, "quantity": "2"},
    ),
    Route(
        "checkout:cart_added",
        own=PAGE,
        kwargs=lambda world: {"line_id": world.alfa.base_line.pk},
        owns_object=True,
    ),
    Route(
        "checkout:line_set_quantity",
        own=ACTION,
        kwargs=lambda world: {"line_id": world.alfa.base_line.pk},
        data=lambda world: {"quantity": "7"},
        owns_object=True,
    ),
    Route(
        "checkout:line_remove",
        own=ACTION,
        kwargs=lambda world: {"line_id": world.alfa.addon_line.pk},
        owns_object=True,
    ),
    Route(
        "checkout:line_add_addon",
        own=ACTION,
        kwargs=lambda world: {"line_id": world.alfa.base_line.pk},
        data=lambda world: {"plan": world.other_addon_plan.pk, "quantity": "2"},
        owns_object=True,
    ),
    Route("checkout:checkout_start", own=ACTION, data=latest_terms_data),
    Route("checkout:terms", own=PAGE),
    # orders/
    Route("orders:order_list", own=PAGE, data=lambda world: {"stato": "placed"}),
    *(
        Route(name, own=PAGE, kwargs=lambda world: {"pk": world.alfa.order.pk}, owns_object=True)
        for name in ("orders:order_detail", "orders:order_placed", "orders:order_status")
    ),
    Route(
        "orders:order_relationship_check",
        own=ACTION,
        kwargs=lambda world: {"pk": world.alfa.order.pk},
        data=lambda world: {"next": "/ordini/"},
        owns_object=True,
        calls_partner_center=True,  # only for an order awaiting the relationship
    ),
    # tenants/
    Route("tenants:customer_list", own=PAGE, data=lambda world: {"q": "Cliente"}),
    Route(
        "tenants:customer_detail",
        own=PAGE,
        kwargs=lambda world: {"pk": world.alfa.pending_customer.pk},
        owns_object=True,
        calls_partner_center=True,  # the invitation link of the relationship panel
    ),
    Route(
        "tenants:customer_relationship_check",
        own=ACTION,
        kwargs=lambda world: {"pk": world.alfa.pending_customer.pk},
        data=lambda world: {"next": "/clienti/"},
        owns_object=True,
        calls_partner_center=True,
    ),
    Route(
        "purchase:customer",
        own=STEP,
        data=lambda world: {"choice": "existing", "customer": world.alfa.customer.pk},
        beta={"POST": 200},  # Alfa's customer is not among Beta's: the form refuses it
    ),
    Route("purchase:company", own=STEP, data=lambda world: company_data()),
    Route(
        "purchase:tenant",
        own=STEP,
        data=lambda world: {"tenant_domain_prefix": world.alfa.draft_prefix, "action": "next"},
        calls_partner_center=True,
    ),
    Route(
        "purchase:partner",
        own=STEP,
        data=lambda world: {"mpn_id": VALID_MPN_ID, "action": "next"},
        beta={"POST": 200},  # Alfa's MPN ID is not Beta's: refused, Beta's own is offered
        calls_partner_center=True,
    ),
    Route(
        "purchase:confirm",
        own=STEP,
        data=lambda world: {"checkout_token": str(world.alfa.cart.checkout_token)},
    ),
    Route(
        "purchase:prefix_check",
        own=PAGE,
        data=lambda world: {"prefix": CONTOSO_PREFIX},
        calls_partner_center=True,
    ),
    # subscriptions/: pages read the mirror; changes and «Aggiorna» are enqueued, never run here
    Route("subscriptions:subscription_list", own=PAGE, data=lambda world: {"q": "Business"}),
    Route(
        "subscriptions:subscription_detail",
        own=PAGE,
        kwargs=lambda world: {"pk": world.alfa.subscription.pk},
        owns_object=True,
    ),
    Route(
        "subscriptions:subscription_refresh",
        own=ACTION,
        kwargs=lambda world: {"pk": world.alfa.subscription.pk},
        owns_object=True,
    ),
    *(
        Route(
            f"subscriptions:{name}",
            own=STEP,
            kwargs=lambda world: {"pk": world.alfa.subscription.pk},
            data=data,
            owns_object=True,
        )
        for name, data in (
            ("add_seats", lambda world: subscription_change_data(seats="2")),
            ("remove_seats", lambda world: subscription_change_data(seats="1")),
            (
                "cancel",
                lambda world: subscription_change_data(confirm_name=world.alfa.subscription.title),
            ),
            ("auto_renew", lambda world: subscription_change_data(enabled="off")),
            ("plan_renewal", lambda world: plan_renewal_data(world, quantity="3")),
        )
    ),
    # No plan to remove on a fresh subscription: the page says why (200), nothing is requested.
    Route(
        "subscriptions:remove_plan",
        own={"GET": 200, "POST": 200, "HEAD": 405},
        kwargs=lambda world: {"pk": world.alfa.subscription.pk},
        data=lambda world: subscription_change_data(),
        owns_object=True,
    ),
    Route("subscriptions:renewal_list", own=PAGE, data=lambda world: {"pagina": "1"}),
    Route("subscriptions:reminder_preferences", own=STEP, data=lambda world: {"renewed": "on"}),
    # An upgrade offers only what Partner Center's eligibilities said (none stored here): the
    # form comes back with the refusal; reactivating an active subscription likewise.
    *(
        Route(
            f"subscriptions:{name}",
            own=own,
            kwargs=lambda world: {"pk": world.alfa.subscription.pk},
            data=data,
            owns_object=True,
        )
        for name, own, data in (
            (
                "upgrade",
                {"GET": 200, "POST": 200, "HEAD": 405},
                lambda world: subscription_change_data(
                    target="CFQ7TTC0LCHC:0002", seats="1", destination=""
                ),
            ),
            ("suspend", STEP, lambda world: subscription_change_data()),
            (
                "reactivate",
                {"GET": 200, "POST": 200, "HEAD": 405},
                lambda world: subscription_change_data(),
            ),
        )
    ),
]
ROUTES_BY_NAME = {route.name: route for route in ROUTES}


def project_urls() -> dict[str, str]:
    """Name → route of every URL of the project, the admin's apart."""
    found: dict[str, str] = {}

    def walk(patterns, prefix: str, namespace: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.app_name == "admin":
                    continue
                inner = ":".join(filter(None, [namespace, pattern.namespace]))
                walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
                continue
            route = prefix + str(pattern.pattern)
            if route.startswith(("static/", "^static/")):
                continue
            name = ":".join(filter(None, [namespace, pattern.name])) or f"<unnamed {route}>"
            found[name] = route

    walk(get_resolver().url_patterns, "", "")
    return found


def send(client: Client, method: str, url: str, data: dict):
    return {"GET": client.get, "POST": client.post, "HEAD": client.head}[method](url, data)


# --- Every URL × role × method ------------------------------------------------------------------


def test_every_url_is_in_the_table():
    # A new URL must be added to ROUTES, with its fillers and expected answers, to be checked.
    assert sorted(project_urls()) == sorted(ROUTES_BY_NAME)


@pytest.mark.parametrize(
    ("route", "role", "method"),
    [
        pytest.param(route, role, method, id=f"{route.name}-{role}-{method}")
        for route in ROUTES
        for role in ROLES
        for method in METHODS
    ],
)
def test_every_url_role_and_method(request, world, route, role, method):
    # Given a client for the role and every reseller's rows as they are
    partner_center(request, is_called=route.calls_partner_center)
    client = client_for(world, role)
    untouched = untouched_sides(world, role)
    unchanged = unchanged_sides(world, role, route)
    before = rows_of(*unchanged)
    url = route.url(world)
    data = route.data(world)

    # When it sends the URL's request
    response = send(client, method, url, data)

    # Then the answer is the expected one, nothing of another reseller changed or was shown
    assert response.status_code == route.expected(role, method)
    if response.status_code == 302 and role == ANONYMOUS and route.public is None:
        assert response["Location"].startswith(f"{LOGIN_URL}?next=")
    if role == DEACTIVATED and response.status_code == 403 and method != "HEAD":
        assert "Account del rivenditore disattivato" in response.content.decode()
        assert f"mailto:{settings.SUPPORT_EMAIL}" in response.content.decode()
    assert rows_of(*unchanged) == before
    assert_no_secret_of(untouched, response.content.decode(), sent=data)


@pytest.mark.parametrize("colleague_of", ["alfa", "beta"])
def test_a_checkout_token_leads_only_its_own_reseller_to_the_order(world, colleague_of):
    # Given a user without a cart who knows the token of Alfa's ordered cart: Alfa's or Beta's
    side = getattr(world, colleague_of)
    client = signed_in(UserFactory(reseller=side.user.reseller))
    token = str(world.alfa.order.cart.checkout_token)

    # When the confirmation is posted with it (a second tab, a reload)
    response = client.post(reverse("purchase:confirm"), {"checkout_token": token})

    # Then Alfa's colleague finds Alfa's order; Beta's user is sent to its own cart
    expected = {
        "alfa": reverse("orders:order_placed", kwargs={"pk": world.alfa.order.pk}),
        "beta": reverse("checkout:cart"),
    }
    assert response.status_code == 302
    assert response["Location"] == expected[colleague_of]


def test_a_colleagues_cart_lines_are_not_found_either(world):
    # Carts are per user: another user of the same reseller gets a 404, and nothing changes.
    client = signed_in(UserFactory(reseller=world.alfa.user.reseller))
    before = rows_of(world.alfa)

    response = client.post(
        reverse("checkout:line_set_quantity", kwargs={"line_id": world.alfa.base_line.pk}),
        {"quantity": "9"},
    )

    assert response.status_code == 404
    assert rows_of(world.alfa) == before


# --- Limits on Partner Center lookups ----------------------------------------------------------


@dataclass(frozen=True)
class Lookup:
    """A request that asks Partner Center, and what it gets once a limit refuses it."""

    route: str
    method: str
    limited_status: int  # 429 with Retry-After; a PRG action redirects with the message
    data: Callable[[World], dict] = NO_DATA


LOOKUPS = [
    Lookup("purchase:prefix_check", "GET", 429, lambda world: {"prefix": CONTOSO_PREFIX}),
    Lookup(
        "purchase:tenant",
        "POST",
        429,
        lambda world: {"tenant_domain_prefix": world.alfa.draft_prefix, "action": "next"},
    ),
    Lookup(
        "purchase:tenant",
        "POST",
        429,
        lambda world: {"tenant_domain_prefix": world.alfa.draft_prefix, "action": "verify"},
    ),
    Lookup(
        "purchase:partner",
        "POST",
        429,
        lambda world: {"mpn_id": VALID_MPN_ID, "action": "next"},
    ),
    Lookup("tenants:customer_relationship_check", "POST", 302),
    Lookup("orders:order_relationship_check", "POST", 302, lambda world: {"next": "/ordini/"}),
    # An existing customer's relationship is re-checked on choosing it; limited, the wizard goes
    # on and the worker checks it before activating.
    Lookup(
        "purchase:customer",
        "POST",
        302,
        lambda world: {"choice": "existing", "customer": world.alfa.pending_customer.pk},
    ),
]
LIMITED_TEXT = "Troppe verifiche su Partner Center in poco tempo"


def test_every_view_that_calls_partner_center_is_in_the_lookups():
    calling = {route.name for route in ROUTES if route.calls_partner_center}
    # The customer page only shows the invitation link; choosing a customer may look it up.
    assert calling - {"tenants:customer_detail"} | {"purchase:customer"} == {
        lookup.route for lookup in LOOKUPS
    }


@pytest.mark.parametrize("limit", ["per-user", "per-reseller", "budget"])
@pytest.mark.parametrize(
    "lookup", LOOKUPS, ids=[f"{item.route}-{item.method}-{i}" for i, item in enumerate(LOOKUPS)]
)
def test_a_lookup_over_a_limit_asks_nothing_and_says_so(request, world, settings, lookup, limit):
    # Given Alfa's user over its own limit, its reseller's, or every page's Partner Center budget
    if limit == "per-user":
        settings.PARTNER_CENTER_LOOKUP_RATE_PER_USER = "0/m"
    elif limit == "per-reseller":
        settings.PARTNER_CENTER_LOOKUP_RATE_PER_RESELLER = "0/m"
    else:
        settings.PARTNER_CENTER_INTERACTIVE_CALLS_PER_MINUTE = 0
    # Limits refuse before any call; the budget, inside the client, before anything is sent.
    sandbox = request.getfixturevalue("pc_sandbox") if limit == "budget" else None
    partner_center(request, is_called=limit == "budget")
    if sandbox is not None:
        sandbox.control.clear_calls()
    client = client_for(world, ALFA)
    before = rows_of(world.beta)
    url = reverse(lookup.route, kwargs=ROUTES_BY_NAME[lookup.route].kwargs(world))

    # When it sends the request
    response = send(client, lookup.method, url, lookup.data(world))

    # Then it is told to wait, Partner Center was not asked, and no other reseller is touched
    assert response.status_code == lookup.limited_status
    if response.status_code == 429:
        assert 1 <= int(response["Retry-After"]) <= 60
        assert LIMITED_TEXT in response.content.decode()
    if sandbox is not None:
        assert sandbox.control.calls(path_prefix="/v1/") == []
    assert rows_of(world.beta) == before


# --- CSRF ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [ANONYMOUS, ALFA])
@pytest.mark.parametrize("route", ROUTES, ids=[route.name for route in ROUTES])
def test_a_post_without_csrf_token_is_refused_and_changes_nothing(request, world, route, role):
    # Given a client that checks CSRF as a browser's requests are checked
    partner_center(request, is_called=route.calls_partner_center)
    client = client_for(world, role, enforce_csrf_checks=True)
    before = rows_of(world.alfa, world.beta)
    url = route.url(world)

    # When it posts the form without the token
    refused = client.post(url, route.data(world))

    # Then it is refused, and nothing changed
    assert refused.status_code == 403
    assert b"CSRF" in refused.content
    assert rows_of(world.alfa, world.beta) == before

    # And with the token the same post goes through: the token was the reason
    secret = get_random_string(32)
    client.cookies[settings.CSRF_COOKIE_NAME] = secret
    accepted = client.post(url, {**route.data(world), "csrfmiddlewaretoken": secret})
    assert accepted.status_code == route.expected(role, "POST")


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


@pytest.mark.parametrize("payload_id", PAYLOADS)
@pytest.mark.parametrize("endpoint", FORM_ENDPOINTS, ids=[form.id for form in FORM_ENDPOINTS])
def test_hostile_input_never_gives_a_500_and_is_shown_escaped(request, world, endpoint, payload_id):
    partner_center(request, is_called=endpoint.calls_partner_center)
    payload = PAYLOADS[payload_id]
    client = client_for(world, endpoint.role)
    url = reverse(endpoint.url_name, kwargs=endpoint.kwargs(world))

    for name in endpoint.fields(world):
        # When one field carries the hostile value and the others are valid
        response = hostile_request(
            client, endpoint.method, url, endpoint.valid(world), name, payload
        )

        # Then the answer is no 500, and what it shows back is escaped
        body = assert_safe_answer(response, where=f"{name}={payload_id}")
        if payload == SCRIPT and name in endpoint.echoed:
            assert ESCAPED_SCRIPT in body, f"{name} not shown back"


@pytest.mark.parametrize("payload_id", ["script", "image", "10k", "nul", "surrogate", "huge"])
def test_every_page_shows_a_hostile_query_string_escaped(world, pc_sandbox, payload_id):
    # The footer's language form carries the page's full path back: every page echoes the query.
    payload = PAYLOADS[payload_id]
    query = payload.encoded if isinstance(payload, Raw) else quote(payload)
    client = client_for(world, ALFA)
    for route in ROUTES:
        if route.own["GET"] != 200:
            continue
        response = client.get(f"{route.url(world)}?next={query}&q={query}")
        assert_safe_answer(response, where=route.name)
        assert response.status_code == 200, route.name


PATH_PAYLOADS = {
    "script": quote(SCRIPT, safe=""),
    "image": quote(IMAGE, safe=""),
    "10k": "x" * 10_000,
    "nul": "abc%00def",
    "surrogate": "%ED%A0%80%FF%FE",
    "bidi-emoji": quote("\u202eevil😀", safe=""),
}


@pytest.mark.parametrize("payload_id", PATH_PAYLOADS)
def test_hostile_text_in_the_path_never_gives_a_500(request, world, payload_id):
    partner_center(request, is_called=False)
    segment = PATH_PAYLOADS[payload_id]
    client = client_for(world, ALFA)
    paths = [
        f"/catalogo/{segment}/",
        f"/accounts/reset/{segment}/{segment}/",
        f"/accounts/reset/MQ/{segment}/",
    ]
    for path in paths:
        response = client.get(path)
        assert_safe_answer(response, where=path)
        assert response.status_code in (200, 404), path


@pytest.mark.parametrize("number", ["0", "9" * 19, "9" * 40], ids=["zero", "bigint+1", "40-digits"])
@pytest.mark.parametrize(
    "route",
    [route for route in ROUTES if route.owns_object],
    ids=[route.name for route in ROUTES if route.owns_object],
)
def test_an_out_of_range_id_in_the_path_is_not_found(request, world, route, number):
    partner_center(request, is_called=False)
    client = client_for(world, ALFA)
    (name,) = route.kwargs(world)
    method = "GET" if route.own["GET"] != 405 else "POST"
    before = rows_of(world.alfa)

    response = send(client, method, reverse(route.name, kwargs={name: number}), route.data(world))

    assert response.status_code == 404
    assert rows_of(world.alfa) == before


@pytest.mark.parametrize(
    "route",
    [route for route in ROUTES if route.own["POST"] != 405],
    ids=[route.name for route in ROUTES if route.own["POST"] != 405],
)
def test_an_oversized_post_is_a_400(request, world, route):
    # Too many fields, or a body too big, is the client's fault: 400, never a 500. The browser's
    # CSRF check reads the body first, on every POST, so every POST endpoint answers the same.
    partner_center(request, is_called=False)
    client = client_for(world, ALFA, enforce_csrf_checks=True)
    secret = get_random_string(32)
    client.cookies[settings.CSRF_COOKIE_NAME] = secret
    too_many_fields = {f"field{number}": "x" for number in range(1_100)}
    too_big = {"note": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)}
    before = rows_of(world.alfa)

    for data in (too_many_fields, too_big):
        response = client.post(
            route.url(world), {**route.data(world), **data, "csrfmiddlewaretoken": secret}
        )
        assert response.status_code == 400, route.name
    assert rows_of(world.alfa) == before
