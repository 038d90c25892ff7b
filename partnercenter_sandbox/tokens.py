"""The identity platform's part, as msal needs it: discovery, token endpoint, bearer checks.

Access and refresh tokens are HMAC-signed with a key derived from the client secret, so they stay
valid across sandbox restarts and resets, like real ones stay valid across a service restart;
the storefront can keep its cached tokens. Every refresh-token grant rotates the refresh token.
"""

import base64
import hashlib
import hmac
import json
import secrets

from partnercenter_sandbox.http import ApiError, RequestContext, SandboxResponse, api_error

APP = "app"
APP_USER = "app_user"
SERVICE_USER_OBJECT_ID = "0f1e2d3c-4b5a-4697-8a7b-6c5d4e3f2a1b"
SERVICE_USER_NAME = "pcservice@distributoredemo.onmicrosoft.com"
PARTNER_CENTER_RESOURCE = "https://api.partnercenter.microsoft.com"


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def _unb64(text: str) -> dict:
    return json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))


class TokenSigner:
    def __init__(self, *, client_secret: str, tenant_id: str) -> None:
        self._key = hashlib.sha256(f"{client_secret}:{tenant_id}".encode()).digest()

    def sign(self, prefix: str, claims: dict) -> str:
        payload = _b64({**claims, "jti": secrets.token_hex(8)})
        return f"{prefix}.{payload}.{self._mac(prefix, payload)}"

    def verify(self, prefix: str, token: str) -> dict | None:
        parts = token.split(".")
        if len(parts) != 3 or parts[0] != prefix:
            return None
        if not hmac.compare_digest(parts[2], self._mac(prefix, parts[1])):
            return None
        return _unb64(parts[1])

    def _mac(self, prefix: str, payload: str) -> str:
        return hmac.new(self._key, f"{prefix}.{payload}".encode(), hashlib.sha256).hexdigest()


def token_kind_of(ctx: RequestContext, signer: TokenSigner) -> str | None:
    """The kind of a valid, unexpired bearer token in the request, or None."""
    header = ctx.request.headers.get("Authorization", "")
    if not header.lower().startswith("bearer "):
        return None
    claims = signer.verify("sbx-at", header[7:].strip())
    if claims is None or claims.get("exp", 0) <= ctx.now:
        return None
    return claims.get("kind")


def require_token(ctx: RequestContext, signer: TokenSigner, *, needs_user: bool) -> None:
    kind = token_kind_of(ctx, signer)
    if kind is None:
        error = api_error(401, 800001, "Unauthorized: a valid bearer token is required.")
        error.response.headers["WWW-Authenticate"] = 'Bearer error="invalid_token"'
        raise error
    if needs_user and kind != APP_USER:
        raise api_error(403, 2032, "This resource can't be accessed by application credentials.")


def openid_configuration(ctx: RequestContext) -> SandboxResponse:
    tenant = _known_tenant(ctx)
    authority = f"{ctx.base_url}/{tenant}"
    return SandboxResponse(
        200,
        {
            "issuer": f"{authority}/v2.0",
            "authorization_endpoint": f"{authority}/oauth2/v2.0/authorize",
            "token_endpoint": f"{authority}/oauth2/v2.0/token",
            "token_endpoint_auth_methods_supported": ["client_secret_post"],
            "response_types_supported": ["code", "id_token", "token"],
            "scopes_supported": ["openid", "profile", "email", "offline_access"],
            "tenant_region_scope": "EU",
        },
    )


def token_endpoint(ctx: RequestContext, signer: TokenSigner) -> SandboxResponse:
    tenant = _known_tenant(ctx)
    form = ctx.request.form
    if (form.get("client_id"), form.get("client_secret")) != (
        ctx.config.client_id,
        ctx.config.client_secret,
    ):
        return _oauth_error(401, "invalid_client", "AADSTS7000215: Invalid client secret provided.")
    lifetime = int(ctx.store.delays()["token_lifetime_seconds"])
    grant_type = form.get("grant_type")
    if grant_type == "client_credentials":
        return SandboxResponse(200, _access_token(signer, APP, lifetime, ctx.now))
    if grant_type == "refresh_token":
        if not _is_valid_refresh_token(ctx, signer, form.get("refresh_token", "")):
            return _oauth_error(400, "invalid_grant", "AADSTS70000: The refresh token is invalid.")
        return SandboxResponse(200, _user_tokens(ctx, signer, tenant, lifetime))
    return _oauth_error(400, "unsupported_grant_type", f"AADSTS70003: {grant_type} not supported.")


def _known_tenant(ctx: RequestContext) -> str:
    tenant = ctx.args["tenant"]
    if tenant.lower() != ctx.config.tenant_id.lower():
        raise ApiError(
            _oauth_error(400, "invalid_tenant", f"AADSTS90002: Tenant '{tenant}' not found.")
        )
    return ctx.config.tenant_id


def _is_valid_refresh_token(ctx: RequestContext, signer: TokenSigner, token: str) -> bool:
    return hmac.compare_digest(token, ctx.config.refresh_token) or (
        signer.verify("sbx-rt", token) is not None
    )


def _access_token(signer: TokenSigner, kind: str, lifetime: int, now: float) -> dict:
    return {
        "token_type": "Bearer",
        "expires_in": lifetime,
        "ext_expires_in": lifetime,
        "access_token": signer.sign("sbx-at", {"kind": kind, "exp": now + lifetime}),
    }


def _user_tokens(ctx: RequestContext, signer: TokenSigner, tenant: str, lifetime: int) -> dict:
    issued_at = int(ctx.now)
    id_token_claims = {
        "aud": ctx.config.client_id,
        "iss": f"{ctx.base_url}/{tenant}/v2.0",
        "iat": issued_at,
        "nbf": issued_at,
        "exp": issued_at + lifetime,
        "oid": SERVICE_USER_OBJECT_ID,
        "sub": SERVICE_USER_OBJECT_ID,
        "tid": tenant,
        "name": "Partner Center service user",
        "preferred_username": SERVICE_USER_NAME,
    }
    return {
        **_access_token(signer, APP_USER, lifetime, ctx.now),
        "scope": f"{PARTNER_CENTER_RESOURCE}/user_impersonation",
        "refresh_token": signer.sign("sbx-rt", {"iat": issued_at}),
        # Unsigned, as msal only reads it; it and client_info let msal cache the account.
        "id_token": f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(id_token_claims)}.",
        "client_info": _b64({"uid": SERVICE_USER_OBJECT_ID, "utid": tenant}),
    }


def _oauth_error(status: int, error: str, description: str) -> SandboxResponse:
    return SandboxResponse(
        status, {"error": error, "error_description": description, "error_codes": []}
    )
