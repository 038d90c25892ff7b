"""Access tokens for Partner Center, from Microsoft Entra ID through msal.

Two kinds (Partner Center authentication, "App+User"):
- app-only: ``acquire_token_for_client`` with the app's client secret;
- app+user: the distributor's service user, from a stored refresh token
  (``acquire_token_by_refresh_token`` once, then msal's cache and its own refresh token).

msal's token cache is serialisable; it and the refresh token live in a ``CredentialStore`` (the
storefront's keeps them encrypted in the database), so every process starts from the last tokens
obtained and only calls the identity platform when they expire. When Entra ID rotates the refresh
token, the new one replaces the stored one. Tokens and secrets are never logged.

Every failure comes out as one of the client's errors, never as an msal or ``requests`` one: the
identity platform unreachable or answering 5xx is PartnerCenterUnavailable, 429 is
PartnerCenterRateLimited (with its Retry-After), a refused discovery or grant is
PartnerCenterUnauthorized. ``IdentityPlatformSession`` reads the status codes, because msal turns
a 5xx into a bare MsalServiceError and a 429 into a JSON parsing error.
"""

import threading
from dataclasses import dataclass
from typing import Protocol

import msal
import requests
from msal.exceptions import MsalError

from partnercenter.errors import (
    PartnerCenterError,
    PartnerCenterRateLimited,
    PartnerCenterUnauthorized,
    PartnerCenterUnavailable,
)
from partnercenter.transport import PinnedSession, TokenKind, retry_after_seconds

PARTNER_CENTER_APP_SCOPE = "https://api.partnercenter.microsoft.com/.default"
PARTNER_CENTER_USER_SCOPE = "https://api.partnercenter.microsoft.com/user_impersonation"
# OAuth error codes (RFC 6749 §5.2, Entra ID) that mean "not now" rather than "not you".
TRANSIENT_OAUTH_ERRORS = frozenset({"temporarily_unavailable", "server_error"})


@dataclass(frozen=True)
class StoredCredentials:
    refresh_token: str = ""
    token_cache: str = ""  # msal.SerializableTokenCache.serialize()


class CredentialStore(Protocol):
    def load(self) -> StoredCredentials: ...

    def save(self, credentials: StoredCredentials) -> None: ...


class IdentityPlatformSession(PinnedSession):
    """msal's HTTP client: raises the client's typed errors for answers that are not a grant.

    A token request refused with 400/401 is returned as it is: msal reads its OAuth error body,
    and the provider turns it into PartnerCenterUnauthorized.
    """

    def request(self, method, url, **kwargs):
        response = super().request(method, url, **kwargs)
        status = response.status_code
        if status == 429:
            raise PartnerCenterRateLimited(
                "identity platform: rate limited",
                retry_after=retry_after_seconds(response, {}),
                http_status=status,
            )
        if status >= 500:
            raise PartnerCenterUnavailable(
                f"identity platform answered {status}", http_status=status
            )
        if method.upper() == "GET" and status >= 400:
            # Discovery of the authority refused (unknown tenant, wrong host): configuration.
            raise PartnerCenterUnauthorized(
                f"identity platform discovery refused: {status}", http_status=status
            )
        return response


class MsalTokenProvider:
    """Thread-safe; builds the msal application on first use (it discovers the authority)."""

    def __init__(
        self,
        *,
        authority: str,
        client_id: str,
        client_secret: str,
        credential_store: CredentialStore,
        ca_bundle: str = "",
        timeout: tuple[float, float] = (5.0, 30.0),
    ) -> None:
        self._authority = authority
        self._client_id = client_id
        self._client_secret = client_secret
        self._store = credential_store
        self._ca_bundle = ca_bundle
        self._timeout = timeout
        self._lock = threading.Lock()
        self._application: msal.ConfidentialClientApplication | None = None
        self._cache = msal.SerializableTokenCache()
        self._refresh_token = ""

    def access_token(self, kind: TokenKind) -> str:
        with self._lock:
            try:
                application = self._ensure_application()
                if kind is TokenKind.APP:
                    result = application.acquire_token_for_client(scopes=[PARTNER_CENTER_APP_SCOPE])
                else:
                    result = self._acquire_user_token(application)
            except PartnerCenterError:
                raise  # from IdentityPlatformSession, through msal
            except (requests.RequestException, ValueError, RuntimeError, MsalError, OSError) as exc:
                # The transport's errors, an unreadable answer (ValueError), an unreadable CA
                # bundle (OSError: nothing was sent) and whatever msal raises on its own: none
                # says our credentials are wrong, so retry later.
                raise PartnerCenterUnavailable(
                    f"identity platform unreachable ({type(exc).__name__})"
                ) from exc
            self._save_if_changed(result)
        if "access_token" not in result:
            error = str(result.get("error", "unknown_error"))
            description = str(result.get("error_description", ""))[:500]
            if error in TRANSIENT_OAUTH_ERRORS:
                raise PartnerCenterUnavailable(f"{kind.value} token not issued now: {error}")
            raise PartnerCenterUnauthorized(
                f"{kind.value} token refused: {error}: {description}",
                code=error,
                description=description,
            )
        return result["access_token"]

    def _ensure_application(self) -> msal.ConfidentialClientApplication:
        if self._application is None:
            stored = self._store.load()
            self._refresh_token = stored.refresh_token
            if stored.token_cache:
                self._cache.deserialize(stored.token_cache)
            self._application = msal.ConfidentialClientApplication(
                self._client_id,
                client_credential=self._client_secret,
                authority=self._authority,
                token_cache=self._cache,
                # Instead of msal's verify= and timeout=, which REQUESTS_CA_BUNDLE overrides.
                http_client=IdentityPlatformSession(
                    ca_bundle=self._ca_bundle, timeout=self._timeout
                ),
                # The authority is given, never looked up at login.microsoftonline.com; this also
                # lets a non-Microsoft host (the sandbox) act as the authority.
                instance_discovery=False,
            )
        return self._application

    def _acquire_user_token(self, application: msal.ConfidentialClientApplication) -> dict:
        for account in application.get_accounts():
            # msal answers from its cache, or redeems the refresh token it keeps there.
            result = application.acquire_token_silent([PARTNER_CENTER_USER_SCOPE], account=account)
            if result and "access_token" in result:
                return result
        if not self._refresh_token:
            return {
                "error": "no_refresh_token",
                "error_description": "no refresh token stored: "
                "run manage.py partnercenter_set_refresh_token",
            }
        return application.acquire_token_by_refresh_token(
            self._refresh_token, scopes=[PARTNER_CENTER_USER_SCOPE]
        )

    def _save_if_changed(self, result: dict) -> None:
        rotated: str = result.get("refresh_token") or ""
        is_rotated = bool(rotated) and rotated != self._refresh_token
        if is_rotated:
            self._refresh_token = rotated
        if is_rotated or self._cache.has_state_changed:
            self._store.save(
                StoredCredentials(
                    refresh_token=self._refresh_token, token_cache=self._cache.serialize()
                )
            )
            self._cache.has_state_changed = False
