"""Injected faults: what Partner Center and the network do on a bad day.

A fault matches a call by method, path (prefix or regular expression) and route name (a key of
``app.ROUTES``, ``token``, or ``identity`` for both identity-platform routes: discovery and
token) and fires on every matching call, on the next ``count`` ones, or with ``probability``.
Kinds:

- ``latency``: wait ``latency_ms`` (or a uniform draw up to ``latency_max_ms``) then serve the
  call (combines with the others);
- ``status``: answer ``status`` (default 503) without doing anything;
- ``rate_limit``: answer 429 with ``Retry-After: retry_after`` and Partner Center's 429 body;
  (on the identity platform's routes both answer its OAuth error body instead, as Entra ID does);
- ``drop``: close the connection without an answer, doing nothing;
- ``drop_after_commit``: do the call and keep its effects, then close the connection without
  an answer: the case MS-RequestId idempotency exists for.
"""

import contextlib
import random
import re
import socket
import threading
from dataclasses import asdict, dataclass

from partnercenter_sandbox.http import SandboxResponse, error_body

KINDS = ("latency", "status", "rate_limit", "drop", "drop_after_commit")
# The routes msal calls: discovery when it builds its application, then the token endpoint.
IDENTITY_ROUTES = frozenset({"openid_configuration", "token"})
IDENTITY = "identity"


@dataclass
class Fault:
    id: int
    kind: str
    method: str = ""
    path_prefix: str = ""
    path_regex: str = ""
    route: str = ""  # a route name of app.ROUTES, "token", or "identity" (discovery and token)
    status: int = 503
    retry_after: int = 1
    latency_ms: int = 0
    latency_max_ms: int | None = None  # a uniform draw in [latency_ms, latency_max_ms]
    probability: float | None = None
    count: int | None = None  # fires this many more times, then is removed

    def matches(self, method: str, path: str, route: str = "") -> bool:
        if self.method and self.method.upper() != method.upper():
            return False
        if self.route and not (
            self.route == route or (self.route == IDENTITY and route in IDENTITY_ROUTES)
        ):
            return False
        if self.path_prefix and not path.startswith(self.path_prefix):
            return False
        return not self.path_regex or re.search(self.path_regex, path) is not None

    def as_json(self) -> dict:
        return asdict(self)


class FaultInjector:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []
        self._next_id = 1
        self._random = random.Random()

    def add(self, spec: dict, *, route_names: frozenset[str] = frozenset()) -> Fault:
        """Validate a fault from the control API (ValueError on a bad one) and arm it;
        ``route_names``: the routes a fault may name, besides "identity"."""
        fields = {name: spec[name] for name in Fault.__dataclass_fields__ if name in spec}
        fields.pop("id", None)
        if fields.get("kind") not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)}")
        if fields.get("path_regex"):
            re.compile(fields["path_regex"])
        route = fields.get("route", "")
        if route and route != IDENTITY and route not in route_names:
            raise ValueError(f"unknown route {route!r}")
        with self._lock:
            fault = Fault(id=self._next_id, **fields)
            self._next_id += 1
            self._faults.append(fault)
        return fault

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def seed(self, seed: int | None) -> None:
        self._random.seed(seed)

    def listing(self) -> list[dict]:
        with self._lock:
            return [fault.as_json() for fault in self._faults]

    def fire(self, method: str, path: str, route: str = "") -> tuple[int, Fault | None]:
        """The latency to add and the fault that decides the answer, for one call."""
        latency_ms, deciding = 0, None
        with self._lock:
            for fault in list(self._faults):
                if deciding is not None and fault.kind != "latency":
                    continue
                if not fault.matches(method, path, route) or not self._fires(fault):
                    continue
                if fault.kind == "latency":
                    latency_ms += self._latency_of(fault)
                else:
                    deciding = fault
        return latency_ms, deciding

    def _latency_of(self, fault: Fault) -> int:
        if fault.latency_max_ms is None or fault.latency_max_ms <= fault.latency_ms:
            return fault.latency_ms
        return self._random.randint(fault.latency_ms, fault.latency_max_ms)

    def _fires(self, fault: Fault) -> bool:
        if fault.probability is not None and self._random.random() >= fault.probability:
            return False
        if fault.count is not None:
            fault.count -= 1
            if fault.count <= 0:
                self._faults.remove(fault)
        return True


def refusal(fault: Fault, route: str = "") -> SandboxResponse:
    """The answer of a ``status`` or ``rate_limit`` fault."""
    if route in IDENTITY_ROUTES:
        return _identity_refusal(fault)
    if fault.kind == "rate_limit":
        return SandboxResponse(
            429,
            {
                "statusCode": 429,
                "message": f"Rate limit is exceeded. Try again in {fault.retry_after} seconds.",
            },
            {"Retry-After": str(fault.retry_after)},
        )
    return SandboxResponse(
        fault.status,
        error_body(
            fault.status,
            fault.status,
            "The service is temporarily unavailable (injected by the sandbox).",
            error_name="ServiceUnavailable",
        ),
    )


def _identity_refusal(fault: Fault) -> SandboxResponse:
    """Entra ID's OAuth error body: what msal reads when the identity platform is unwell."""
    if fault.kind == "rate_limit":
        return SandboxResponse(
            429,
            {
                "error": "temporarily_unavailable",
                "error_description": "AADSTS50196: The server terminated an operation because it "
                "encountered a client request loop (injected by the sandbox).",
                "error_codes": [50196],
            },
            {"Retry-After": str(fault.retry_after)},
        )
    return SandboxResponse(
        fault.status,
        {
            "error": "temporarily_unavailable",
            "error_description": "AADSTS90033: A transient error has occurred. Please try again "
            "(injected by the sandbox).",
            "error_codes": [90033],
        },
    )


def drop_connection(environ: dict) -> None:
    """Close the client's connection with no answer; the server then forgets the request."""
    connection = environ.get("werkzeug.socket")
    if connection is not None:
        with contextlib.suppress(OSError):
            connection.shutdown(socket.SHUT_RDWR)
    raise ConnectionAbortedError("connection dropped by a sandbox fault")
