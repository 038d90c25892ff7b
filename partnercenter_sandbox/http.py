"""What every sandbox handler uses: the request context, JSON answers and error bodies."""

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime

from werkzeug.wrappers import Request, Response

from partnercenter_sandbox.config import SandboxConfig
from partnercenter_sandbox.store import SandboxStore


@dataclass
class SandboxResponse:
    status: int
    body: object = None
    headers: dict = field(default_factory=dict)


class ApiError(Exception):
    """Raised by a handler: the answer is ``response`` and nothing it wrote is kept."""

    def __init__(self, response: SandboxResponse) -> None:
        super().__init__(response.status)
        self.response = response


# errorName of each code the sandbox answers with. Partner Center's published answers carry one
# (600061 is PartnerConfirmedAgreementAlreadyExists); the others are the sandbox's, named after
# the description. A code used for two refusals takes its name from the call (``error_name``).
ERROR_NAMES = {
    1000: "ResourceNotFound",
    2000: "InvalidRequest",
    2001: "MpnIdOrTenantIdRequired",
    2032: "ApplicationOnlyAuthenticationNotSupported",
    2200: "MpnIdInvalidOrNotMigrated",
    2201: "CspRegionMismatch",
    2203: "MicrosoftPartnerAgreementNotSigned",
    2204: "MpnIdNotAnIndirectReseller",
    2205: "TenantIdNotFound",
    2206: "TenantHasNotSignedMicrosoftPartnerAgreement",
    13605: "CustomerAgreementNotConfirmed",
    20000: "OrderNotFound",
    20002: "NoCommerceRelationship",
    400013: "ProductNotFound",
    400018: "SkuNotFound",
    600061: "PartnerConfirmedAgreementAlreadyExists",
    800001: "Unauthorized",
    800002: "InvalidInput",
    800008: "CartNotFound",
    800009: "CartHasErrors",
}


def error_body(
    status: int,
    code: int,
    description: str,
    *,
    data: list | None = None,
    error_name: str = "",
    parameters: dict | None = None,
) -> dict:
    """Partner Center's error body as its published answers show it: the documented
    {"code", "description", "data", "source"} and the newer "message", "errorName",
    "isRetryable", "parameters" (values quoted in the description)."""
    return {
        "code": code,
        "message": description,
        "description": description,
        "errorName": error_name or ERROR_NAMES.get(code, "PartnerCenterError"),
        "isRetryable": status == 429 or status >= 500,
        "parameters": parameters or {},
        "errorMessageExtended": f"InternalErrorCode={code}",
        "data": data or [],
        "source": "PartnerFD",
    }


def api_error(
    status: int,
    code: int,
    description: str,
    data: list | None = None,
    *,
    error_name: str = "",
    parameters: dict | None = None,
) -> ApiError:
    body = error_body(
        status, code, description, data=data, error_name=error_name, parameters=parameters
    )
    return ApiError(SandboxResponse(status, body))


def business_error(
    status: int, code: int, error_name: str, description: str, *, retryable: bool = False
) -> ApiError:
    """Partner Center's full error body: code, description, message, errorName, isRetryable,
    parameters, data, source."""
    body = {
        "code": code,
        "description": description,
        "message": description,
        "errorName": error_name,
        "isRetryable": retryable,
        "parameters": {},
        "data": [],
        "source": "PartnerFD",
    }
    return ApiError(SandboxResponse(status, body))


def collection(items: list, *, self_uri: str = "") -> dict:
    body = {"totalCount": len(items), "items": items, "attributes": {"objectType": "Collection"}}
    if self_uri:
        body["links"] = {"self": link(self_uri)}
    return body


def with_collection_links(body, request_uri: str):
    """Every collection answer carries ``links.self`` (the request's own uri, without /v1), as
    Partner Center's do; handlers that know better (paging) set their own."""
    if (
        isinstance(body, dict)
        and (body.get("attributes") or {}).get("objectType") == "Collection"
        and "links" not in body
    ):
        return {**body, "links": {"self": link(request_uri)}}
    return body


def link(uri: str) -> dict:
    return {"uri": uri, "method": "GET", "headers": []}


def iso(timestamp: float) -> str:
    return (
        datetime.fromtimestamp(timestamp, UTC)
        .isoformat(timespec="microseconds")
        .replace("+00:00", "Z")
    )


def pick(data, *path: str, default=None):
    """Partner Center reads JSON case-insensitively: ``pick(body, "BillingProfile", "Email")``."""
    current = data
    for name in path:
        if not isinstance(current, dict):
            return default
        current = next(
            (value for key, value in current.items() if key.lower() == name.lower()), None
        )
        if current is None:
            return default
    return current


@dataclass
class RequestContext:
    request: Request
    args: dict
    store: SandboxStore
    config: SandboxConfig
    now: float

    @property
    def base_url(self) -> str:
        return self.request.host_url.rstrip("/")

    @property
    def self_uri(self) -> str:
        """The request as Partner Center's ``links`` name it: the path without /v1, the query."""
        path = self.request.path.removeprefix("/v1")
        query = self.request.query_string.decode("latin-1")
        return f"{path}?{query}" if query else path

    @property
    def business_now(self) -> float:
        """Partner Center's business time (terms, windows, renewals): the wall clock moved by
        /_sandbox/clock. Token lifetimes and technical delays keep ``now``."""
        return self.now + self.store.clock_offset()

    @property
    def request_id(self) -> str:
        return self.request.headers.get("MS-RequestId", "")

    def query(self, name: str, default: str = "") -> str:
        return pick(dict(self.request.args), name, default=default)

    def json(self) -> dict:
        body = self.request.get_json(silent=True)
        return body if isinstance(body, dict) else {}


def to_werkzeug(answer: SandboxResponse, request: Request) -> Response:
    headers = dict(answer.headers)
    for name in ("MS-RequestId", "MS-CorrelationId"):
        if name in request.headers:
            headers.setdefault(name, request.headers[name])
    payload = "" if answer.body is None else json.dumps(answer.body)
    return Response(payload, answer.status, headers, content_type="application/json; charset=utf-8")
