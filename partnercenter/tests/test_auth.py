"""Acceptance 4: the msal token provider obtains, caches and renews tokens from the sandbox's
emulated identity platform (counted by the sandbox), and rotates the refresh token."""

import time

import pytest

from partnercenter.auth import MsalTokenProvider, StoredCredentials
from partnercenter.errors import PartnerCenterUnauthorized, PartnerCenterUnavailable
from partnercenter.tests.helpers import InMemoryCredentialStore, token_provider_for
from partnercenter.transport import TokenKind

# msal renews a token that has less than 5 minutes left: 302 s are "fresh" for 2 seconds.
SHORT_LIFETIME_SECONDS = 302


def test_app_only_token_is_obtained_once_then_served_from_the_cache(pc_sandbox):
    provider = token_provider_for(pc_sandbox)

    first = provider.access_token(TokenKind.APP)
    second = provider.access_token(TokenKind.APP)

    assert first == second
    assert pc_sandbox.control.token_requests("client_credentials") == 1
    assert pc_sandbox.control.token_requests("refresh_token") == 0


def test_app_user_token_redeems_the_stored_refresh_token_and_stores_the_rotated_one(pc_sandbox):
    store = InMemoryCredentialStore(
        StoredCredentials(refresh_token=pc_sandbox.config.refresh_token)
    )
    provider = token_provider_for(pc_sandbox, store)

    first = provider.access_token(TokenKind.APP_USER)
    second = provider.access_token(TokenKind.APP_USER)

    assert first == second
    assert pc_sandbox.control.token_requests("refresh_token") == 1
    assert store.credentials.refresh_token.startswith("sbx-rt.")
    assert store.credentials.refresh_token != pc_sandbox.config.refresh_token
    assert store.credentials.token_cache


def test_a_new_process_starts_from_the_stored_cache_without_asking_for_tokens(pc_sandbox):
    store = InMemoryCredentialStore(
        StoredCredentials(refresh_token=pc_sandbox.config.refresh_token)
    )
    token_provider_for(pc_sandbox, store).access_token(TokenKind.APP)
    token_provider_for(pc_sandbox, store).access_token(TokenKind.APP_USER)
    requests_before = pc_sandbox.control.token_requests()

    restarted = token_provider_for(pc_sandbox, store)
    restarted.access_token(TokenKind.APP)
    restarted.access_token(TokenKind.APP_USER)

    assert pc_sandbox.control.token_requests() == requests_before == 2


def test_expiring_tokens_are_renewed_and_the_refresh_token_rotates_again(pc_sandbox):
    pc_sandbox.control.set_delays(token_lifetime_seconds=SHORT_LIFETIME_SECONDS)
    store = InMemoryCredentialStore(
        StoredCredentials(refresh_token=pc_sandbox.config.refresh_token)
    )
    provider = token_provider_for(pc_sandbox, store)
    first_app = provider.access_token(TokenKind.APP)
    first_user = provider.access_token(TokenKind.APP_USER)
    first_refresh_token = store.credentials.refresh_token

    time.sleep(2.05)
    renewed_app = provider.access_token(TokenKind.APP)
    renewed_user = provider.access_token(TokenKind.APP_USER)

    assert (renewed_app != first_app, renewed_user != first_user) == (True, True)
    assert pc_sandbox.control.token_requests("client_credentials") == 2
    assert pc_sandbox.control.token_requests("refresh_token") == 2
    assert store.credentials.refresh_token not in ("", first_refresh_token)


def test_a_refresh_token_the_identity_platform_refuses_is_unauthorized(pc_sandbox):
    store = InMemoryCredentialStore(StoredCredentials(refresh_token="revoked-or-mistyped"))

    with pytest.raises(PartnerCenterUnauthorized) as raised:
        token_provider_for(pc_sandbox, store).access_token(TokenKind.APP_USER)

    assert raised.value.code == "invalid_grant"
    assert store.credentials.refresh_token == "revoked-or-mistyped"


def test_no_stored_refresh_token_is_unauthorized_with_what_to_do(pc_sandbox):
    with pytest.raises(PartnerCenterUnauthorized) as raised:
        token_provider_for(pc_sandbox, InMemoryCredentialStore()).access_token(TokenKind.APP_USER)

    assert raised.value.code == "no_refresh_token"
    assert "partnercenter_set_refresh_token" in raised.value.message
    assert pc_sandbox.control.token_requests() == 0


def test_a_wrong_client_secret_is_unauthorized(pc_sandbox):
    provider = MsalTokenProvider(
        authority=f"{pc_sandbox.base_url}/{pc_sandbox.config.tenant_id}",
        client_id=pc_sandbox.config.client_id,
        client_secret="not-the-secret",
        credential_store=InMemoryCredentialStore(),
        ca_bundle=pc_sandbox.ca_bundle,
    )

    with pytest.raises(PartnerCenterUnauthorized) as raised:
        provider.access_token(TokenKind.APP)

    assert raised.value.code == "invalid_client"


def test_an_unreachable_identity_platform_is_unavailable(pc_sandbox):
    provider = MsalTokenProvider(
        authority="https://127.0.0.1:9/" + pc_sandbox.config.tenant_id,
        client_id=pc_sandbox.config.client_id,
        client_secret=pc_sandbox.config.client_secret,
        credential_store=InMemoryCredentialStore(),
        ca_bundle=pc_sandbox.ca_bundle,
        timeout=(0.5, 0.5),
    )

    with pytest.raises(PartnerCenterUnavailable):
        provider.access_token(TokenKind.APP)


def test_the_token_provider_verifies_tls_against_the_configured_bundle(pc_sandbox):
    # The system's CA bundle does not know the sandbox's self-signed certificate.
    provider = MsalTokenProvider(
        authority=f"{pc_sandbox.base_url}/{pc_sandbox.config.tenant_id}",
        client_id=pc_sandbox.config.client_id,
        client_secret=pc_sandbox.config.client_secret,
        credential_store=InMemoryCredentialStore(),
    )

    with pytest.raises(PartnerCenterUnavailable):
        provider.access_token(TokenKind.APP)
