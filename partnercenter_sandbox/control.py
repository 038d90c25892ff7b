"""The control API under /_sandbox/ (JSON) and the invitation page a customer's admin accepts.

Mounted only when the sandbox is enabled (SandboxConfig.control_api_enabled); README.md lists
the routes. Never part of what production serves.
"""

import html
import json
import re
import time
import uuid

from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from partnercenter_sandbox.http import iso
from partnercenter_sandbox.store import (
    AGREEMENT_TYPES,
    DEFAULT_DELAYS,
    DEFAULT_SUBSCRIPTION_OPTIONS,
    DEFAULT_TRANSITION_OPTIONS,
    TRANSITION_OPTION_VALUES,
)

TENANT_FIELDS = (
    "company_name",
    "relationship_accepted",
    "reseller_tenant_id",
    "has_customer_agreement",
)
RESELLER_FIELDS = ("name", "tenant_id", "location", "relationship_state", "agreement")


def _json(body, status: int = 200) -> Response:
    return Response(json.dumps(body), status, content_type="application/json")


class ControlApi:
    def __init__(self, app) -> None:
        self._app = app
        self._store = app.store
        self._routes = Map(
            [
                Rule("/_sandbox/", methods=("GET",), endpoint="index"),
                Rule("/_sandbox/reset", methods=("POST",), endpoint="reset"),
                Rule("/_sandbox/state", methods=("GET",), endpoint="state"),
                Rule("/_sandbox/tenants", methods=("POST",), endpoint="tenant"),
                Rule("/_sandbox/resellers", methods=("POST",), endpoint="reseller"),
                Rule("/_sandbox/relationships/accept", methods=("POST",), endpoint="accept"),
                Rule("/_sandbox/delays", methods=("POST",), endpoint="delays"),
                Rule("/_sandbox/catalog/rotate", methods=("POST",), endpoint="rotate"),
                Rule("/_sandbox/faults", methods=("GET", "POST", "DELETE"), endpoint="faults"),
                Rule("/_sandbox/calls", methods=("GET", "DELETE"), endpoint="calls"),
                Rule("/_sandbox/duplicates", methods=("GET",), endpoint="duplicates"),
                Rule("/_sandbox/invitation", methods=("GET", "POST"), endpoint="invitation"),
                Rule("/_sandbox/clock", methods=("GET", "POST"), endpoint="clock"),
                Rule("/_sandbox/agreements", methods=("GET", "POST"), endpoint="agreements"),
                Rule(
                    "/_sandbox/subscriptions/options",
                    methods=("GET", "POST"),
                    endpoint="subscription_options",
                ),
                Rule("/_sandbox/subscriptions/changes", methods=("GET",), endpoint="changes"),
                Rule(
                    "/_sandbox/transitions/options",
                    methods=("GET", "POST"),
                    endpoint="transition_options",
                ),
                Rule("/_sandbox/transitions", methods=("GET",), endpoint="transitions"),
            ],
            strict_slashes=False,
        )

    def __call__(self, request: Request) -> Response:
        try:
            endpoint, _ = self._routes.bind_to_environ(request.environ).match()
        except HTTPException as exc:
            return _json({"error": exc.name}, exc.code or 404)
        body = request.get_json(silent=True) if request.is_json else None
        try:
            with self._store.lock:
                response = getattr(self, f"_{endpoint}")(request, body or {})
                self._store.commit()
            return response
        except (ValueError, KeyError, TypeError) as exc:
            self._store.rollback()
            return _json({"error": str(exc)}, 400)

    def _index(self, request, body) -> Response:
        return _json({"routes": sorted(rule.rule for rule in self._routes.iter_rules())})

    def _reset(self, request, body) -> Response:
        self._store.reset(
            with_demo_set=body.get("demo", True),
            with_demo_subscriptions=bool(body.get("demo_subscriptions", False)),
        )
        self._app.faults.clear()
        self._app.faults.seed(body.get("seed"))
        self._app.calls.clear()
        if body.get("delays"):
            self._set_delays(body["delays"])
        return _json(self._summary())

    def _state(self, request, body) -> Response:
        return _json(self._summary())

    def _summary(self) -> dict:
        store = self._store
        return {
            "tenants": store.all("tenant"),
            "resellers": store.all("reseller"),
            "delays": store.delays(),
            "duplicates": store.duplicates(),
            "availability_ids": store.setting("availability_ids"),
            "counts": {kind: len(store.all(kind)) for kind in ("cart", "order", "subscription")},
        }

    def _tenant(self, request, body) -> Response:
        domain = str(body["domain"]).lower()
        tenant = self._store.tenant_by_domain(domain) or {
            "id": str(body.get("id") or uuid.uuid4()).lower(),
            "domain": domain,
            "company_name": domain.split(".")[0],
            "relationship_accepted": False,
            "reseller_tenant_id": "",
            "created_via_api": False,
            "has_customer_agreement": False,
            "created_at": 0,
        }
        tenant.update({name: body[name] for name in TENANT_FIELDS if name in body})
        self._store.put("tenant", tenant["id"], tenant)
        return _json(tenant)

    def _reseller(self, request, body) -> Response:
        mpn_id = str(body["mpn_id"])
        reseller = self._store.get("reseller", mpn_id) or {
            "mpn_id": mpn_id,
            "name": f"Reseller {mpn_id}",
            "tenant_id": str(uuid.uuid4()),
            "location": "IT",
            "relationship_state": "Active",
            "agreement": "signed",
        }
        reseller.update({name: body[name] for name in RESELLER_FIELDS if name in body})
        reseller["tenant_id"] = str(reseller["tenant_id"]).lower()
        self._store.put("reseller", mpn_id, reseller)
        return _json(reseller)

    def _accept(self, request, body) -> Response:
        return _json(self._accept_invitation(body["domain"], body.get("partner_id", "")))

    def _accept_invitation(self, domain: str, partner_id: str) -> dict:
        tenant = self._store.tenant_by_domain(domain)
        if tenant is None:
            raise ValueError(f"no tenant {domain}")
        reseller = self._store.reseller_by_tenant_id(partner_id) if partner_id else None
        tenant["relationship_accepted"] = True
        if reseller is not None:
            tenant["reseller_tenant_id"] = reseller["tenant_id"]
        self._store.put("tenant", tenant["id"], tenant)
        return tenant

    def _delays(self, request, body) -> Response:
        return _json(self._set_delays(body))

    def _set_delays(self, changes: dict) -> dict:
        unknown = set(changes) - set(DEFAULT_DELAYS)
        if unknown:
            raise ValueError(f"unknown delays: {', '.join(sorted(unknown))}")
        delays = {**self._store.delays(), **{k: float(v) for k, v in changes.items()}}
        self._store.set_setting("delays", delays)
        return delays

    def _rotate(self, request, body) -> Response:
        self._store.rotate_availability_ids()
        return _json(self._store.setting("availability_ids"))

    def _faults(self, request, body) -> Response:
        if request.method == "POST":
            fault = self._app.faults.add(body, route_names=self._app.route_names)
            return _json(fault.as_json(), 201)
        if request.method == "DELETE":
            self._app.faults.clear()
        return _json(self._app.faults.listing())

    def _calls(self, request, body) -> Response:
        if request.method == "DELETE":
            self._app.calls.clear()
        return _json(
            self._app.calls.listing(
                method=request.args.get("method", ""),
                path_prefix=request.args.get("path_prefix", ""),
            )
        )

    def _duplicates(self, request, body) -> Response:
        return _json(self._store.duplicates())

    def _clock(self, request, body) -> Response:
        """Business time: read it, or move it forward by an ISO 8601 duration (``advance``)."""
        if request.method == "POST":
            seconds = iso_duration_seconds(str(body["advance"]))
            self._store.set_setting("clock_offset_seconds", self._store.clock_offset() + seconds)
        offset = self._store.clock_offset()
        now = time.time() + offset
        return _json({"now": iso(now), "offset_seconds": offset})

    def _agreements(self, request, body) -> Response:
        """The agreement types offered by GET /v1/agreements (``types``: a list of them)."""
        if request.method == "POST":
            types = list(body["types"])
            unknown = set(types) - set(AGREEMENT_TYPES)
            if unknown:
                raise ValueError(f"unknown agreement types: {', '.join(sorted(unknown))}")
            self._store.set_setting("agreement_types", types)
        return _json({"types": self._store.agreement_types_offered()})

    def _subscription_options(self, request, body) -> Response:
        if request.method == "POST":
            unknown = set(body) - set(DEFAULT_SUBSCRIPTION_OPTIONS)
            if unknown:
                raise ValueError(f"unknown options: {', '.join(sorted(unknown))}")
            if body.get("patch_mode", "200") not in ("200", "202"):
                raise ValueError("patch_mode is 200 or 202")
            if body.get("schedule_removal", "null") not in ("null", "empty_object"):
                raise ValueError("schedule_removal is null or empty_object")
            options = {**self._store.subscription_options(), **body}
            options["patch_completion_reads"] = max(1, int(options["patch_completion_reads"]))
            self._store.set_setting("subscription_options", options)
        return _json(self._store.subscription_options())

    def _transition_options(self, request, body) -> Response:
        if request.method == "POST":
            unknown = set(body) - set(DEFAULT_TRANSITION_OPTIONS)
            if unknown:
                raise ValueError(f"unknown options: {', '.join(sorted(unknown))}")
            for name, allowed in TRANSITION_OPTION_VALUES.items():
                if name in body and body[name] not in allowed:
                    raise ValueError(f"{name} is one of {', '.join(allowed)}")
            options = {**self._store.transition_options(), **body}
            options["transition_completion_reads"] = max(
                1, int(options["transition_completion_reads"])
            )
            self._store.set_setting("transition_options", options)
        return _json(self._store.transition_options())

    def _transitions(self, request, body) -> Response:
        return _json(self._store.all("transition"))

    def _changes(self, request, body) -> Response:
        return _json(self._store.all("change"))

    def _invitation(self, request, body) -> Response:
        values = request.form if request.method == "POST" else request.args
        domain = values.get("domain", "").strip().lower()
        partner_id = values.get("partnerId", "")
        if request.method == "POST":
            if self._store.tenant_by_domain(domain) is None:
                return _page(
                    "Tenant non trovato", f"<p>Nessun tenant {html.escape(domain)}.</p>", 404
                )
            self._accept_invitation(domain, partner_id)
            return _page(
                "Relazione accettata",
                f"<p>Il tenant <strong>{html.escape(domain)}</strong> ha accettato la relazione "
                "con il partner. Puoi chiudere questa pagina.</p>",
            )
        return _page("Accetta l'invito del partner", _invitation_form(domain, partner_id))


_DURATION = re.compile(
    r"P(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+(?:\.\d+)?)S)?)?"
)


def iso_duration_seconds(text: str) -> float:
    """``P8D``, ``PT36H``, ``P1W``, ``P7DT1M``: weeks, days and time only, since months and
    years have no fixed length (advance by days instead)."""
    match = _DURATION.fullmatch(text.strip().upper())
    if match is None or text.strip().upper() in ("P", "PT"):
        raise ValueError(f"not an ISO 8601 duration of weeks, days and time: {text!r}")
    parts = {name: float(value or 0) for name, value in match.groupdict().items()}
    return (
        parts["weeks"] * 7 * 86400
        + parts["days"] * 86400
        + parts["hours"] * 3600
        + parts["minutes"] * 60
        + parts["seconds"]
    )


def _invitation_form(domain: str, partner_id: str) -> str:
    return (
        "<p>Un partner Microsoft chiede di diventare il rivenditore del tuo tenant. "
        "Accettando, potrà acquistare sottoscrizioni per la tua organizzazione.</p>"
        '<form method="post">'
        f'<input type="hidden" name="partnerId" value="{html.escape(partner_id)}">'
        '<label>Dominio del tenant <input name="domain" required '
        f'value="{html.escape(domain)}" placeholder="contoso.onmicrosoft.com"></label> '
        '<button type="submit">Accetta</button></form>'
    )


def _page(title: str, content: str, status: int = 200) -> Response:
    document = (
        '<!doctype html><html lang="it"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)} — sandbox Partner Center</title></head>"
        '<body style="font-family: sans-serif; max-width: 40rem; margin: 3rem auto">'
        "<p><small>Sandbox di Partner Center: pagina simulata dell'interfaccia di "
        "amministrazione di Microsoft 365</small></p>"
        f"<h1>{html.escape(title)}</h1>{content}</body></html>"
    )
    return Response(document, status, content_type="text/html; charset=utf-8")
