"""Limits on Partner Center lookups: every view that asks Partner Center, over each limit, asks
nothing and says so."""

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.urls import reverse

from tenants.tests.factories import CONTOSO_PREFIX, VALID_MPN_ID
from tests.abuse.routes import NO_DATA, ROUTES, ROUTES_BY_NAME, send
from tests.abuse.world import ALFA, World, client_for, partner_center, rows_of

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

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
