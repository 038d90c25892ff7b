"""The storefront's side of the Partner Center client: settings, credentials, call log.

- ``partner_center_client()`` builds the client from settings, with the database-backed
  credential store and the call recorder. Use one client per task or request (it keeps a
  keep-alive session); the msal token provider behind it is shared per process, so tokens are
  requested only when they expire.
- ``partner_center_call_context(order_id=...)`` links the calls made inside it to an order.
- ``partner_center_client(interactive=True)``, for a page waiting for the answer, spends from
  the interactive budget (``InteractiveCallBudget``): at most
  PARTNER_CENTER_INTERACTIVE_CALLS_PER_MINUTE calls a minute, counted across every process on
  the shared cache, so that provisioning (no budget) keeps its share of Partner Center's
  throttling limits.
- With no refresh token stored, PARTNER_CENTER_DEVELOPMENT_REFRESH_TOKEN is used (the sandbox's,
  in development and tests; empty in production, which stores the real one with
  ``manage.py partnercenter_set_refresh_token``).
"""

import contextlib
import functools
import logging
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.db import DatabaseError
from django_ratelimit.core import get_usage

from partnercenter.auth import MsalTokenProvider, StoredCredentials
from partnercenter.client import PartnerCenterClient
from partnercenter.errors import (
    PartnerCenterBudgetExhausted,
    PartnerCenterError,
    PartnerCenterUnauthorized,
)
from partnercenter.models import PartnerCenterCall, PartnerCenterCredential
from partnercenter.transport import CallRecord, TokenKind
from storefront.crypto import DecryptionError, decrypt_text, encrypt_text

logger = logging.getLogger(__name__)

_call_order_id: ContextVar[int | None] = ContextVar("partner_center_call_order_id", default=None)


# --- Call log ----------------------------------------------------------------------------------


@contextlib.contextmanager
def partner_center_call_context(*, order_id: int | None) -> Iterator[None]:
    """Calls recorded inside this block carry ``order_id`` (works across threads' contexts)."""
    token = _call_order_id.set(order_id)
    try:
        yield
    finally:
        _call_order_id.reset(token)


def partner_center_call_record(record: CallRecord) -> None:
    try:
        PartnerCenterCall.objects.create(
            operation=record.operation,
            method=record.method,
            path=record.path[:500],
            status=record.status,
            ms_request_id=record.ms_request_id,
            ms_correlation_id=record.ms_correlation_id,
            duration_ms=record.duration_ms,
            error_code=record.error_code[:32],
            error_class=record.error_class[:64],
            order_id=_call_order_id.get(),
        )
    except DatabaseError:
        # The call happened; a lost log line must not turn it into a failure for the caller.
        logger.exception("Partner Center call %s not recorded", record.ms_request_id)


# --- Credentials ---------------------------------------------------------------------------


class DatabaseCredentialStore:
    """The refresh token and msal's cache, encrypted in PartnerCenterCredential's single row."""

    def load(self) -> StoredCredentials:
        row = PartnerCenterCredential.objects.filter(
            pk=PartnerCenterCredential.SINGLETON_ID
        ).first()
        try:
            refresh_token = _decrypted(row.encrypted_refresh_token) if row else ""
            token_cache = _decrypted(row.encrypted_token_cache) if row else ""
        except DecryptionError as exc:
            raise PartnerCenterUnauthorized(
                "stored Partner Center credentials cannot be decrypted with FIELD_ENCRYPTION_KEY; "
                "store the refresh token again"
            ) from exc
        if not refresh_token:
            refresh_token = settings.PARTNER_CENTER_DEVELOPMENT_REFRESH_TOKEN
        return StoredCredentials(refresh_token=refresh_token, token_cache=token_cache)

    def save(self, credentials: StoredCredentials) -> None:
        PartnerCenterCredential.objects.update_or_create(
            pk=PartnerCenterCredential.SINGLETON_ID,
            defaults={
                "encrypted_refresh_token": _encrypted(credentials.refresh_token),
                "encrypted_token_cache": _encrypted(credentials.token_cache),
            },
        )


def _encrypted(value: str) -> str:
    return encrypt_text(value) if value else ""


def _decrypted(value: str) -> str:
    return decrypt_text(value) if value else ""


def partner_center_credential_set_refresh_token(*, refresh_token: str) -> None:
    """Store the service user's refresh token; cached tokens of the previous one are dropped."""
    refresh_token = refresh_token.strip()
    if not refresh_token or any(character.isspace() for character in refresh_token):
        raise ValueError("a refresh token is one non-empty word")
    DatabaseCredentialStore().save(StoredCredentials(refresh_token=refresh_token))
    # This process forgets the old tokens; other running processes do when restarted.
    _shared_token_provider.cache_clear()


# --- Client --------------------------------------------------------------------------------


@functools.lru_cache(maxsize=4)
def _shared_token_provider(
    authority: str, client_id: str, client_secret: str, ca_bundle: str, timeout: tuple
) -> MsalTokenProvider:
    return MsalTokenProvider(
        authority=authority,
        client_id=client_id,
        client_secret=client_secret,
        credential_store=DatabaseCredentialStore(),
        ca_bundle=ca_bundle,
        timeout=timeout,
    )


def partner_center_token_provider() -> MsalTokenProvider:
    return _shared_token_provider(
        f"{settings.PARTNER_CENTER_AUTHORITY_HOST.rstrip('/')}/{settings.PARTNER_CENTER_TENANT_ID}",
        settings.PARTNER_CENTER_CLIENT_ID,
        settings.PARTNER_CENTER_CLIENT_SECRET,
        settings.PARTNER_CENTER_CA_BUNDLE,
        (settings.PARTNER_CENTER_CONNECT_TIMEOUT, settings.PARTNER_CENTER_READ_TIMEOUT),
    )


# A page waiting for Partner Center (the wizard's checks) must answer well within gunicorn's
# 30 s timeout, two calls in a row included; the worker keeps the settings' longer ones.
INTERACTIVE_CONNECT_TIMEOUT = 3.0
INTERACTIVE_READ_TIMEOUT = 8.0


def partner_center_timeouts(*, interactive: bool) -> dict[str, float]:
    """The timeouts to pass to partner_center_client(): short ones for a page, else none (the
    settings'). PARTNER_CENTER_INTERACTIVE_CONNECT_TIMEOUT / _READ_TIMEOUT override them."""
    if not interactive:
        return {}
    return {
        "connect_timeout": getattr(
            settings, "PARTNER_CENTER_INTERACTIVE_CONNECT_TIMEOUT", INTERACTIVE_CONNECT_TIMEOUT
        ),
        "read_timeout": getattr(
            settings, "PARTNER_CENTER_INTERACTIVE_READ_TIMEOUT", INTERACTIVE_READ_TIMEOUT
        ),
    }


class InteractiveCallBudget:
    """PARTNER_CENTER_INTERACTIVE_CALLS_PER_MINUTE calls a minute for every page together.

    django-ratelimit's counter on the default cache (Redis in production: shared by every web
    process; local memory in development); the minute is a fixed window.
    """

    group = "partnercenter.interactive-calls"

    def spend(self, operation: str) -> None:
        calls_per_minute = settings.PARTNER_CENTER_INTERACTIVE_CALLS_PER_MINUTE
        usage = get_usage(
            None,
            group=self.group,
            key=lambda group, request: "all",
            rate=f"{calls_per_minute}/m",
            increment=True,
        )
        if usage is not None and usage["should_limit"]:
            logger.warning(
                "Partner Center %s refused: the interactive budget of %s calls a minute is spent",
                operation,
                calls_per_minute,
            )
            raise PartnerCenterBudgetExhausted(
                f"{operation}: interactive budget of {calls_per_minute} calls a minute spent",
                retry_after=max(1, usage["time_left"]),
            )


def partner_center_client(
    *,
    connect_timeout: float | None = None,
    read_timeout: float | None = None,
    interactive: bool = False,
) -> PartnerCenterClient:
    """A client with the settings' timeouts, or the ones given (per request, in seconds).

    ``interactive``: a page is waiting; its calls spend from the interactive budget and raise
    PartnerCenterBudgetExhausted, unsent, once it is spent.
    """
    return PartnerCenterClient(
        base_url=settings.PARTNER_CENTER_BASE_URL,
        token_provider=partner_center_token_provider(),
        connect_timeout=settings.PARTNER_CENTER_CONNECT_TIMEOUT
        if connect_timeout is None
        else connect_timeout,
        read_timeout=settings.PARTNER_CENTER_READ_TIMEOUT if read_timeout is None else read_timeout,
        ca_bundle=settings.PARTNER_CENTER_CA_BUNDLE,
        on_call=partner_center_call_record,
        budget=InteractiveCallBudget() if interactive else None,
    )


def partner_center_is_sandbox() -> bool:
    host = urlsplit(settings.PARTNER_CENTER_BASE_URL).hostname or ""
    return settings.PARTNER_CENTER_SANDBOX_ENABLED and not host.endswith(".microsoft.com")


def partner_center_invitation_url(*, reseller_tenant_id: str, customer_domain: str = "") -> str:
    """Where a customer's global admin accepts the indirect-reseller relationship."""
    if partner_center_is_sandbox():
        query = urlencode(
            {
                "domain": customer_domain,
                "partnerId": reseller_tenant_id,
                "indirectCSPId": settings.PARTNER_CENTER_TENANT_ID,
            }
        )
        return f"{settings.PARTNER_CENTER_BASE_URL.rstrip('/')}/_sandbox/invitation?{query}"
    return settings.PARTNER_CENTER_INVITATION_URL_TEMPLATE.format(
        reseller_tenant_id=reseller_tenant_id,
        distributor_tenant_id=settings.PARTNER_CENTER_TENANT_ID,
    )


# --- Health check --------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckResult:
    name: str
    is_ok: bool
    detail: str


def _check(name: str, probe: Callable[[], str]) -> CheckResult:
    try:
        return CheckResult(name=name, is_ok=True, detail=probe())
    except PartnerCenterError as exc:
        return CheckResult(name=name, is_ok=False, detail=f"{type(exc).__name__}: {exc.message}")


def partner_center_check() -> list[CheckResult]:
    """Tokens of both kinds, then one call with each; never shows a token."""
    provider = partner_center_token_provider()
    with partner_center_client() as client:
        return [
            _check("app-only token", lambda: provider.access_token(TokenKind.APP) and "obtained"),
            _check(
                "app+user token", lambda: provider.access_token(TokenKind.APP_USER) and "obtained"
            ),
            _check(
                "API with app-only token",
                lambda: (
                    "domain check answered: microsoft.onmicrosoft.com is "
                    + ("taken" if client.is_domain_taken("microsoft") else "free")
                ),
            ),
            _check(
                "API with app+user token",
                lambda: f"{len(client.list_indirect_resellers())} indirect resellers",
            ),
        ]
