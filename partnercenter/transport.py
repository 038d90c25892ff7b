"""One HTTP exchange with Partner Center: headers, timeouts, error mapping and the call record.

Plain Python (no Django): the storefront passes its recorder as ``on_call``. The transport never
retries: which failures to retry, when and with which MS-RequestId is the caller's policy
(provisioning tasks), and ``PartnerCenterError.outcome_unknown`` gives it what it needs.
"""

import enum
import logging
import re
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlencode

import requests
from urllib3.exceptions import NewConnectionError

from partnercenter.errors import (
    PartnerCenterBusinessError,
    PartnerCenterError,
    PartnerCenterInvalidResponse,
    PartnerCenterNotFound,
    PartnerCenterOutcomeUnknown,
    PartnerCenterRateLimited,
    PartnerCenterUnauthorized,
    PartnerCenterUnavailable,
)

logger = logging.getLogger(__name__)

# Query values that may carry customer data stay out of the call log.
REDACTED_QUERY_PARAMETERS = frozenset({"filter"})
DEFAULT_RETRY_AFTER_SECONDS = 5
# 503 and 429 mean Partner Center refused the request; 500/502/504 may come after it acted.
STATUSES_WITH_UNKNOWN_OUTCOME = frozenset({500, 502, 504})
# Partner Center answers 403 both for access denied and for business refusals (20002 no
# relationship, 800088 seat cap, 13605 MCA missing): only these codes, or none, mean access.
ACCESS_DENIED_CODES = frozenset({"", "400", "2032", "800001", "900150"})
_RETRY_IN_SECONDS = re.compile(r"try again in (\d+) second", re.IGNORECASE)


class TokenKind(enum.Enum):
    APP = "app"  # app-only: client credentials
    APP_USER = "app_user"  # app+user: the distributor's service user, via its refresh token


class TokenProvider(Protocol):
    def access_token(self, kind: TokenKind) -> str: ...


@dataclass(frozen=True)
class CallRecord:
    """What staff see of one call: never a token, a body or a customer's data."""

    operation: str
    method: str
    path: str
    status: int | None
    ms_request_id: str
    ms_correlation_id: str
    duration_ms: int
    error_code: str
    error_class: str


@dataclass(frozen=True)
class ApiResponse:
    status: int
    body: Any


class PinnedSession(requests.Session):
    """A session whose CA bundle and timeouts apply to every request.

    requests lets REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE override ``Session.verify`` (only a
    per-request ``verify`` wins), so a configured bundle is passed on each request.
    """

    def __init__(self, *, ca_bundle: str, timeout: tuple[float, float]) -> None:
        super().__init__()
        self._verify = ca_bundle or True
        self._timeout = timeout

    def request(self, method, url, **kwargs):
        kwargs.setdefault("verify", self._verify)
        kwargs.setdefault("timeout", self._timeout)
        return super().request(method, url, **kwargs)


class PartnerCenterTransport:
    """A keep-alive session to one Partner Center endpoint."""

    def __init__(
        self,
        *,
        base_url: str,
        token_provider: TokenProvider,
        connect_timeout: float,
        read_timeout: float,
        ca_bundle: str = "",
        on_call: Callable[[CallRecord], None] | None = None,
        locale: str = "it-IT",
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._token_provider = token_provider
        self._on_call = on_call
        self._session = PinnedSession(ca_bundle=ca_bundle, timeout=(connect_timeout, read_timeout))
        self._session.headers.update(
            {
                "Accept": "application/json",
                "X-Locale": locale,
                "MS-PartnerCenter-Application": "CSP Storefront",
            }
        )

    def close(self) -> None:
        self._session.close()

    def request(
        self,
        *,
        operation: str,
        method: str,
        path: str,
        token_kind: TokenKind,
        params: dict | None = None,
        json_body: dict | None = None,
        request_id: str | None = None,
    ) -> ApiResponse:
        """Send one request; raise a PartnerCenterError for anything but a usable 2xx."""
        if method == "POST" and not request_id:
            raise ValueError("a POST needs the caller's MS-RequestId (its idempotency key)")
        ids = {
            "ms_request_id": request_id or str(uuid.uuid4()),
            "ms_correlation_id": str(uuid.uuid4()),
        }
        started = time.monotonic()
        status, error = None, None
        try:
            response = self._send(method, path, token_kind, params, json_body, ids, operation)
            status = response.status_code
            return _read_response(response, method=method, operation=operation, ids=ids)
        except PartnerCenterError as exc:
            error = exc
            raise
        finally:
            self._record(
                CallRecord(
                    operation=operation,
                    method=method,
                    path=_recorded_path(path, params),
                    status=status,
                    duration_ms=int((time.monotonic() - started) * 1000),
                    error_code=error.error_code if error else "",
                    error_class=type(error).__name__ if error else "",
                    **ids,
                )
            )

    def _send(self, method, path, token_kind, params, json_body, ids, operation):
        headers = {
            "Authorization": f"Bearer {self._token_provider.access_token(token_kind)}",
            "MS-RequestId": ids["ms_request_id"],
            "MS-CorrelationId": ids["ms_correlation_id"],
        }
        try:
            return self._session.request(
                method,
                self.base_url + path,
                params=params,
                json=json_body,
                headers=headers,
            )
        except requests.RequestException as exc:
            raise _transport_error(exc, operation=operation, ids=ids) from exc
        except OSError as exc:
            # requests checks the CA bundle before connecting: a wrong path means nothing was sent.
            raise PartnerCenterUnavailable(
                f"{operation}: TLS set-up failed before sending ({exc})", **ids
            ) from exc

    def _record(self, record: CallRecord) -> None:
        if self._on_call is None:
            return
        try:
            self._on_call(record)
        except Exception:
            # Losing a log line must never turn a call that happened into an error.
            logger.exception("Partner Center call record %s lost", record.ms_request_id)


def _recorded_path(path: str, params: dict | None) -> str:
    if not params:
        return path
    shown = {
        key: "…" if key in REDACTED_QUERY_PARAMETERS else value for key, value in params.items()
    }
    return f"{path}?{urlencode(shown)}"


def _transport_error(exc: requests.RequestException, *, operation: str, ids: dict):
    """No answer: was the request sent (outcome unknown) or never sent (definitely not done)?"""
    message = f"{operation}: Partner Center unreachable ({type(exc).__name__})"
    if _was_never_sent(exc):
        return PartnerCenterUnavailable(message, **ids)
    return PartnerCenterOutcomeUnknown(message, **ids)


def _was_never_sent(exc: requests.RequestException) -> bool:
    if isinstance(exc, requests.ConnectTimeout | requests.exceptions.SSLError):
        return True
    if isinstance(exc, requests.ConnectionError):
        reason = getattr(exc.args[0], "reason", None) if exc.args else None
        return isinstance(reason, NewConnectionError)
    # Timeouts while reading, dropped connections and cut bodies all come after sending.
    return not isinstance(exc, requests.ReadTimeout | requests.exceptions.ChunkedEncodingError)


def _read_response(response: requests.Response, *, method: str, operation: str, ids: dict):
    if response.status_code >= 400:
        raise _error_from_response(response, method=method, operation=operation, ids=ids)
    if method == "HEAD" or not response.content:
        return ApiResponse(status=response.status_code, body=None)
    try:
        return ApiResponse(status=response.status_code, body=response.json())
    except ValueError as exc:
        raise PartnerCenterInvalidResponse(
            f"{operation}: answer {response.status_code} is not JSON",
            http_status=response.status_code,
            outcome_unknown=method == "POST",
            **ids,
        ) from exc


def _error_from_response(response, *, method: str, operation: str, ids: dict) -> PartnerCenterError:
    status = response.status_code
    body = _json_or_empty(response)
    if status == 429:
        return PartnerCenterRateLimited(
            f"{operation}: rate limited",
            retry_after=retry_after_seconds(response, body),
            http_status=status,
            **ids,
        )
    if status >= 500:
        error_class = (
            PartnerCenterOutcomeUnknown
            if method == "POST" and status in STATUSES_WITH_UNKNOWN_OUTCOME
            else PartnerCenterUnavailable
        )
        return error_class(
            f"{operation}: Partner Center answered {status}", http_status=status, **ids
        )
    code = str(body.get("code", "")) if isinstance(body.get("code"), str | int) else ""
    description = str(body.get("description") or "")
    coded = {"code": code, "description": description, "http_status": status, **ids}
    message = f"{operation}: {status} {code} {description}".strip()
    if status == 401 or (status == 403 and code in ACCESS_DENIED_CODES):
        return PartnerCenterUnauthorized(message, **coded)
    if status == 404:
        return PartnerCenterNotFound(message, **coded)
    data = body.get("data")
    return PartnerCenterBusinessError(
        message,
        data=tuple(data) if isinstance(data, list) else (),
        source=str(body.get("source") or ""),
        **coded,
    )


def _json_or_empty(response: requests.Response) -> dict:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def retry_after_seconds(response: requests.Response, body: dict) -> int:
    """Seconds a 429 asks to wait: its Retry-After header, or the figure in its message."""
    header = response.headers.get("Retry-After", "")
    if header.strip().isdigit():
        return int(header)
    match = _RETRY_IN_SECONDS.search(str(body.get("message", "")))
    return int(match.group(1)) if match else DEFAULT_RETRY_AFTER_SECONDS
