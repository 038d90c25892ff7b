"""What every sandbox handler uses: the request context, JSON answers and error bodies."""

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime

from werkzeug.wrappers import Request, Response

from partnercenter.sandbox.config import SandboxConfig
from partnercenter.sandbox.store import SandboxStore


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


def api_error(status: int, code: int, description: str, data: list | None = None) -> ApiError:
    """Partner Center's error body: {"code", "description", "data", "source"}."""
    body = {"code": code, "description": description, "data": data or [], "source": "PartnerFD"}
    return ApiError(SandboxResponse(status, body))


def collection(items: list, *, self_uri: str = "") -> dict:
    body = {"totalCount": len(items), "items": items, "attributes": {"objectType": "Collection"}}
    if self_uri:
        body["links"] = {"self": link(self_uri)}
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
