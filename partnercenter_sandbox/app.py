"""The sandbox WSGI application: Partner Center's routes, the identity platform's, and /_sandbox/.

For each API call: log it, apply injected faults, check the bearer token, replay a POST already
done under the same MS-RequestId, else run the handler under the state lock and keep its effects.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass

from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from partnercenter_sandbox import faults as fault_kinds
from partnercenter_sandbox.calls import CallLog
from partnercenter_sandbox.config import SandboxConfig
from partnercenter_sandbox.control import ControlApi
from partnercenter_sandbox.faults import FaultInjector
from partnercenter_sandbox.handlers import (
    catalog,
    commerce,
    customers,
    partners,
    subscriptions,
    transitions,
)
from partnercenter_sandbox.http import (
    ApiError,
    RequestContext,
    SandboxResponse,
    api_error,
    to_werkzeug,
    with_collection_links,
)
from partnercenter_sandbox.store import SandboxStore
from partnercenter_sandbox.tokens import (
    APP,
    APP_USER,
    TokenSigner,
    openid_configuration,
    require_token,
    token_endpoint,
)

CONTROL_PREFIX = "/_sandbox"
TOKEN_ROUTE = "token"  # noqa: S105 - a route name, not a secret


@dataclass(frozen=True)
class Route:
    path: str
    methods: tuple[str, ...]
    handler: Callable[[RequestContext], SandboxResponse]
    # APP: any valid bearer token; APP_USER: app+user tokens only; "": none (identity platform)
    required_token: str


ROUTES = {
    "domain_check": Route("/v1/domains/<domain>", ("GET", "HEAD"), customers.domain_check, APP),
    "customer_search": Route("/v1/customers", ("GET",), customers.customer_search, APP),
    "customer_create": Route("/v1/customers", ("POST",), customers.customer_create, APP_USER),
    "relationship_request": Route(
        "/v1/customers/relationshiprequests",
        ("GET",),
        customers.relationship_request,
        APP_USER,
    ),
    "reseller_list": Route("/v1/relationships", ("GET",), partners.relationships, APP_USER),
    "agreement_status": Route(
        "/v1/compliance/csp/agreementstatus", ("GET",), partners.agreement_status, APP_USER
    ),
    "mca_template": Route("/v1/agreements", ("GET",), customers.agreement_templates, APP_USER),
    "mca_accept": Route(
        "/v1/customers/<customer_id>/agreements", ("POST",), customers.agreement_accept, APP_USER
    ),
    "product_list": Route("/v1/products", ("GET",), catalog.products, APP),
    "sku_list": Route("/v1/products/<product_id>/skus", ("GET",), catalog.skus, APP),
    "availability_list": Route(
        "/v1/products/<product_id>/skus/<sku_id>/availabilities",
        ("GET",),
        catalog.availabilities,
        APP,
    ),
    "cart_create": Route("/v1/customers/<customer_id>/carts", ("POST",), commerce.cart_create, APP),
    "cart_checkout": Route(
        "/v1/customers/<customer_id>/carts/<cart_id>/checkout",
        ("POST",),
        commerce.cart_checkout,
        APP,
    ),
    "order_get": Route(
        "/v1/customers/<customer_id>/orders/<order_id>", ("GET",), commerce.order_get, APP
    ),
    "subscription_list": Route(
        "/v1/customers/<customer_id>/subscriptions", ("GET",), commerce.subscriptions, APP
    ),
    "subscription_get": Route(
        "/v1/customers/<customer_id>/subscriptions/<subscription_id>",
        ("GET",),
        subscriptions.subscription_get,
        APP,
    ),
    "subscription_update": Route(
        "/v1/customers/<customer_id>/subscriptions/<subscription_id>",
        ("PATCH",),
        subscriptions.subscription_patch,
        APP,
    ),
    "transition_eligibilities": Route(
        "/v1/customers/<customer_id>/subscriptions/<subscription_id>/transitionEligibilities",
        ("GET",),
        transitions.eligibilities_get,
        APP,
    ),
    "transition_create": Route(
        "/v1/customers/<customer_id>/subscriptions/<subscription_id>/transitions",
        ("POST",),
        transitions.transition_create,
        APP,
    ),
    "transition_list": Route(
        "/v1/customers/<customer_id>/subscriptions/<subscription_id>/transitions",
        ("GET",),
        transitions.transitions_get,
        APP,
    ),
    "reseller_validation": Route(
        "/v1/partners/validateresellers", ("POST",), partners.validate_resellers, APP
    ),
    "openid_configuration": Route(
        "/<tenant>/v2.0/.well-known/openid-configuration", ("GET",), openid_configuration, ""
    ),
}


class SandboxApp:
    def __init__(self, config: SandboxConfig, store: SandboxStore | None = None) -> None:
        self.config = config
        self.store = store or SandboxStore(config.database_path)
        self.faults = FaultInjector()
        self.calls = CallLog()
        self.signer = TokenSigner(client_secret=config.client_secret, tenant_id=config.tenant_id)
        rules = [Rule(r.path, methods=r.methods, endpoint=name) for name, r in ROUTES.items()]
        rules.append(Rule("/<tenant>/oauth2/v2.0/token", methods=("POST",), endpoint=TOKEN_ROUTE))
        self._routes = Map(rules)
        with self.store.lock:
            if self.store.is_empty():
                self.store.reset(with_demo_subscriptions=True)
        self.route_names = frozenset({*ROUTES, TOKEN_ROUTE})
        self._control = ControlApi(self) if config.control_api_enabled else None

    def __call__(self, environ, start_response):
        request = Request(environ)
        if request.path == CONTROL_PREFIX or request.path.startswith(CONTROL_PREFIX + "/"):
            if self._control is None:
                return Response("Not Found", 404)(environ, start_response)
            return self._control(request)(environ, start_response)
        return to_werkzeug(self._serve(request, environ), request)(environ, start_response)

    def _serve(self, request: Request, environ: dict) -> SandboxResponse:
        try:
            endpoint, args = self._routes.bind_to_environ(environ).match()
        except HTTPException as exc:
            return api_error(exc.code or 404, 1000, exc.name).response
        call = self.calls.start(request, now=time.time())
        latency_ms, fault = self.faults.fire(request.method, request.path, endpoint)
        if latency_ms:
            time.sleep(latency_ms / 1000)
        fault_kind = fault.kind if fault else ""
        call["fault"] = fault_kind
        if fault_kind == "drop":
            fault_kinds.drop_connection(environ)  # raises: no answer, nothing done
        if fault_kind in ("status", "rate_limit"):
            answer = fault_kinds.refusal(fault, endpoint)
        else:
            answer = self._execute(endpoint, request, args, call)
        if fault_kind == "drop_after_commit":
            fault_kinds.drop_connection(environ)  # done and kept, but no answer
        call["status"] = answer.status
        return answer

    def _execute(self, endpoint: str, request: Request, args: dict, call: dict) -> SandboxResponse:
        with self.store.lock:
            ctx = RequestContext(request, args, self.store, self.config, time.time())
            try:
                if endpoint == TOKEN_ROUTE:
                    return token_endpoint(ctx, self.signer)
                route = ROUTES[endpoint]
                if route.required_token:
                    require_token(ctx, self.signer, needs_user=route.required_token == APP_USER)
                return self._run_once(ctx, route, call)
            except ApiError as exc:
                self.store.rollback()
                return exc.response

    def _run_once(self, ctx: RequestContext, route: Route, call: dict) -> SandboxResponse:
        """Run the handler, unless this POST or PATCH was already done under the same
        MS-RequestId."""
        method = ctx.request.method
        is_idempotent = method in ("POST", "PATCH") and bool(ctx.request_id)
        replay_key = f"{method} {ctx.request.path} {ctx.request_id}"
        if is_idempotent:
            done = self.store.get("idempotency", replay_key)
            if done is not None:
                call["replayed"] = True
                return SandboxResponse(done["status"], done["body"], done.get("headers") or {})
        answer = route.handler(ctx)
        answer.body = with_collection_links(answer.body, ctx.self_uri)
        if is_idempotent and 200 <= answer.status < 300:
            self.store.put(
                "idempotency",
                replay_key,
                {"status": answer.status, "body": answer.body, "headers": answer.headers},
            )
        self.store.commit()
        return answer
