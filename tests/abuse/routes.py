"""The URL table: every URL of the project (the admin's and static files apart), how to fill it and
what each role gets. A URL added without an entry fails test_url_table.py: new pages are checked
from the day they exist. Each area's module (test_<area>.py) checks the URLs of its namespaces.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.urls import URLResolver, get_resolver, reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from checkout.selectors import terms_latest
from storefront.models import User
from storefront.tests.factories import DEFAULT_PASSWORD
from tenants.tests.factories import CONTOSO_PREFIX, VALID_MPN_ID, company_data
from tests.abuse.world import ANONYMOUS, BETA, DEACTIVATED, NEW_PASSWORD, STAFF, World

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


# The module (tests/abuse/test_<area>.py) that checks a URL, by the URL's namespace.
AREAS = {
    "": "accounts",
    "admin": "accounts",
    "catalog": "catalog_cart",
    "checkout": "catalog_cart",
    "tenants": "customers",
    "purchase": "purchase",
    "orders": "orders",
    "subscriptions": "subscriptions",
}


def area_of(url_name: str) -> str:
    return AREAS[url_name.rpartition(":")[0]]


def routes_of(area: str) -> list[Route]:
    return [route for route in ROUTES if area_of(route.name) == area]
