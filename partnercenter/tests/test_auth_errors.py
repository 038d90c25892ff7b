"""What the token provider raises when the identity platform fails: always one of the client's
typed errors (issue 10, defect 2), never an msal or ``requests`` exception. HTTP is faked with
``responses``: these are answers the sandbox cannot be asked for one by one."""

import json

import pytest
import responses

from partnercenter.auth import MsalTokenProvider
from partnercenter.errors import (
    PartnerCenterRateLimited,
    PartnerCenterUnauthorized,
    PartnerCenterUnavailable,
)
from partnercenter.tests.helpers import InMemoryCredentialStore
from partnercenter.transport import TokenKind

AUTHORITY_HOST = "https://login.identity.test"
TENANT = "9171ce5b-baff-48a6-9656-c801daeb9a56"
AUTHORITY = f"{AUTHORITY_HOST}/{TENANT}"
DISCOVERY_URL = f"{AUTHORITY}/v2.0/.well-known/openid-configuration"
TOKEN_URL = f"{AUTHORITY}/oauth2/v2.0/token"
OPENID_CONFIGURATION = {
    "issuer": f"{AUTHORITY}/v2.0",
    "authorization_endpoint": f"{AUTHORITY}/oauth2/v2.0/authorize",
    "token_endpoint": TOKEN_URL,
    "device_authorization_endpoint": f"{AUTHORITY}/oauth2/v2.0/devicecode",
}


def provider() -> MsalTokenProvider:
    return MsalTokenProvider(
        authority=AUTHORITY,
        client_id="client-id",
        client_secret="client-secret",
        credential_store=InMemoryCredentialStore(),
    )


def discovery_answers(fake) -> None:
    fake.get(DISCOVERY_URL, json=OPENID_CONFIGURATION)


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_discovery_answering_5xx_is_unavailable(status):
    with responses.RequestsMock() as fake:
        fake.get(DISCOVERY_URL, status=status, body="down")

        with pytest.raises(PartnerCenterUnavailable) as raised:
            provider().access_token(TokenKind.APP)

    assert raised.value.http_status == status


def test_discovery_refused_is_unauthorized():
    with responses.RequestsMock() as fake:
        fake.get(DISCOVERY_URL, status=400, json={"error": "invalid_tenant"})

        with pytest.raises(PartnerCenterUnauthorized):
            provider().access_token(TokenKind.APP)


def test_unreadable_discovery_is_unavailable():
    with responses.RequestsMock() as fake:
        fake.get(DISCOVERY_URL, body="<html>maintenance</html>")

        with pytest.raises(PartnerCenterUnavailable):
            provider().access_token(TokenKind.APP)


@pytest.mark.parametrize("status", [500, 503])
def test_token_endpoint_answering_5xx_is_unavailable(status):
    with responses.RequestsMock() as fake:
        discovery_answers(fake)
        fake.post(TOKEN_URL, status=status, body="")

        with pytest.raises(PartnerCenterUnavailable) as raised:
            provider().access_token(TokenKind.APP)

    assert raised.value.http_status == status


def test_token_endpoint_rate_limiting_keeps_its_retry_after():
    with responses.RequestsMock() as fake:
        discovery_answers(fake)
        fake.post(TOKEN_URL, status=429, headers={"Retry-After": "17"}, body="Too Many Requests")

        with pytest.raises(PartnerCenterRateLimited) as raised:
            provider().access_token(TokenKind.APP)

    assert raised.value.retry_after == 17


def test_token_endpoint_refusing_the_client_is_unauthorized():
    with responses.RequestsMock() as fake:
        discovery_answers(fake)
        fake.post(
            TOKEN_URL,
            status=401,
            json={"error": "invalid_client", "error_description": "AADSTS7000215: bad secret"},
        )

        with pytest.raises(PartnerCenterUnauthorized) as raised:
            provider().access_token(TokenKind.APP)

    assert raised.value.code == "invalid_client"


def test_token_endpoint_saying_temporarily_unavailable_is_unavailable():
    with responses.RequestsMock() as fake:
        discovery_answers(fake)
        fake.post(TOKEN_URL, status=400, json={"error": "temporarily_unavailable"})

        with pytest.raises(PartnerCenterUnavailable):
            provider().access_token(TokenKind.APP)


def test_a_provider_whose_discovery_failed_tries_again_on_the_next_call():
    with responses.RequestsMock() as fake:
        fake.get(DISCOVERY_URL, status=503)
        discovery_answers(fake)
        fake.post(
            TOKEN_URL,
            body=json.dumps(
                {"access_token": "token-2", "token_type": "Bearer", "expires_in": 3600}
            ),
        )
        tokens = provider()
        with pytest.raises(PartnerCenterUnavailable):
            tokens.access_token(TokenKind.APP)

        assert tokens.access_token(TokenKind.APP) == "token-2"
