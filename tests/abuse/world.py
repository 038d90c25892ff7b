"""The abuse proof's data and roles, a pytest plugin registered in the root conftest.py.

The data: two resellers, Alfa and Beta, each with a user, a placed order, two customers (a new
tenant, ordered; an existing tenant waiting for the relationship) and an open cart with a base
line and its add-on line, after «Checkout >>», with the wizard's draft complete. Gamma, built the
same way, then deactivated by staff: its user may sign in and out, nothing else. A staff user
without reseller, and anonymous visitors. It is built once for each test module inside a
transaction rolled back at the end; each test runs in a savepoint of it (pytest-django), so
whatever a request changes is changed for that test only.
"""

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.test import Client

from catalog.models import Plan
from checkout.models import Cart, CartLine, TermsAcceptance
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
from storefront.tests.factories import ResellerFactory, StaffUserFactory, UserFactory
from subscriptions.models import ChangeRequest, Subscription
from subscriptions.tests.factories import mirrored_subscription
from tenants.models import Customer
from tenants.tests.factories import (
    VALID_MPN_ID,
    VALID_RESELLER_TENANT_ID,
    CustomerFactory,
    draft_ready_to_confirm,
)

if TYPE_CHECKING:
    from tests.abuse.routes import Route

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
    """Built once per module, in a transaction that every test's savepoint sits in, rolled back
    at the end."""
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
