"""Acceptance 5: the sandbox refuses calls without a valid bearer token like Partner Center, and
its control API is not mounted when the sandbox is not enabled."""

import pytest
import requests
from django.core.management import CommandError, call_command
from werkzeug.test import Client

from partnercenter.tests.helpers import token_provider_for
from partnercenter.transport import TokenKind
from partnercenter_sandbox.app import SandboxApp
from partnercenter_sandbox.settings_config import sandbox_config_from_settings


def get(pc_sandbox, path: str, token: str | None = None) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.get(
        pc_sandbox.base_url + path, headers=headers, verify=pc_sandbox.ca_bundle, timeout=5
    )


@pytest.mark.parametrize("token", [None, "not-a-token", "sbx-at.e30.0000"])
def test_calls_without_a_valid_bearer_token_are_refused_with_401(pc_sandbox, token):
    response = get(pc_sandbox, "/v1/products?country=IT&targetView=OnlineServices", token)

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == 'Bearer error="invalid_token"'
    assert response.json()["code"] == 800001


def test_an_expired_token_is_refused_with_401(pc_sandbox):
    pc_sandbox.control.set_delays(token_lifetime_seconds=0)
    token = token_provider_for(pc_sandbox).access_token(TokenKind.APP)

    assert get(pc_sandbox, "/v1/domains/contosoitalia.onmicrosoft.com", token).status_code == 401


def test_app_plus_user_calls_refuse_an_app_only_token(pc_sandbox):
    provider = token_provider_for(pc_sandbox)
    app_token = provider.access_token(TokenKind.APP)
    user_token = provider.access_token(TokenKind.APP_USER)
    resellers = "/v1/relationships?relationship_type=IsIndirectCloudSolutionProviderOf"

    refused = get(pc_sandbox, resellers, app_token)

    assert (refused.status_code, refused.json()["code"]) == (403, 2032)
    assert get(pc_sandbox, resellers, user_token).status_code == 200


def test_control_api_is_not_mounted_when_the_sandbox_is_not_enabled(settings):
    settings.DEBUG = False
    settings.PARTNER_CENTER_SANDBOX_ENABLED = False
    sandbox = Client(SandboxApp(sandbox_config_from_settings(in_memory=True)))

    assert sandbox.post("/_sandbox/reset").status_code == 404
    assert sandbox.get("/_sandbox/calls").status_code == 404
    assert sandbox.get("/_sandbox/invitation").status_code == 404
    assert sandbox.get("/v1/customers").status_code == 401  # the API itself still answers


def test_control_api_is_mounted_when_the_sandbox_is_enabled(settings):
    settings.PARTNER_CENTER_SANDBOX_ENABLED = True
    sandbox = Client(SandboxApp(sandbox_config_from_settings(in_memory=True)))

    assert sandbox.get("/_sandbox/duplicates").json == {
        "customers": 0,
        "carts": 0,
        "orders": 0,
        "subscriptions": 0,
    }


def test_the_sandbox_command_refuses_to_start_when_the_sandbox_is_not_enabled(settings):
    settings.DEBUG = False
    settings.PARTNER_CENTER_SANDBOX_ENABLED = False

    with pytest.raises(CommandError, match="not enabled"):
        call_command("partnercenter_sandbox", "--memory", "--port", "0")
