"""The storefront's side: encrypted credentials, the call log, the factory and the commands."""

import io

import pytest
from django.contrib import admin
from django.core.management import CommandError, call_command
from django.test import RequestFactory

from partnercenter import services
from partnercenter.admin import PartnerCenterCallAdmin
from partnercenter.auth import StoredCredentials
from partnercenter.errors import PartnerCenterUnauthorized
from partnercenter.models import PartnerCenterCall, PartnerCenterCredential
from partnercenter.services import (
    DatabaseCredentialStore,
    partner_center_call_context,
    partner_center_call_record,
    partner_center_client,
    partner_center_credential_set_refresh_token,
    partner_center_invitation_url,
)
from partnercenter.transport import CallRecord
from partnercenter_sandbox.config import SANDBOX_REFRESH_TOKEN
from storefront.crypto import decrypt_text

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_token_provider():
    """Each test starts as a new process would: no tokens in memory."""
    services._shared_token_provider.cache_clear()
    yield
    services._shared_token_provider.cache_clear()


def a_call_record(**changes) -> CallRecord:
    fields = {
        "operation": "order_get",
        "method": "GET",
        "path": "/v1/customers/c1/orders/o1",
        "status": 200,
        "ms_request_id": "request-1",
        "ms_correlation_id": "correlation-1",
        "duration_ms": 12,
        "error_code": "",
        "error_class": "",
    }
    return CallRecord(**(fields | changes))


def test_credentials_are_stored_encrypted_and_read_back():
    DatabaseCredentialStore().save(
        StoredCredentials(refresh_token="the-refresh-token", token_cache='{"AccessToken": {}}')
    )

    row = PartnerCenterCredential.objects.get()
    assert "the-refresh-token" not in row.encrypted_refresh_token
    assert "AccessToken" not in row.encrypted_token_cache
    assert DatabaseCredentialStore().load() == StoredCredentials(
        refresh_token="the-refresh-token", token_cache='{"AccessToken": {}}'
    )


def test_without_a_stored_refresh_token_development_uses_the_sandboxs():
    # The settings name the sandbox's token without importing the sandbox package.
    assert DatabaseCredentialStore().load().refresh_token == SANDBOX_REFRESH_TOKEN


def test_without_a_stored_refresh_token_production_has_none(settings):
    settings.PARTNER_CENTER_DEVELOPMENT_REFRESH_TOKEN = ""

    assert DatabaseCredentialStore().load() == StoredCredentials()


def test_credentials_encrypted_with_another_key_are_unauthorized(settings):
    DatabaseCredentialStore().save(StoredCredentials(refresh_token="the-refresh-token"))
    settings.FIELD_ENCRYPTION_KEY = "a-different-key"

    with pytest.raises(PartnerCenterUnauthorized, match="cannot be decrypted"):
        DatabaseCredentialStore().load()


def test_setting_the_refresh_token_replaces_it_and_drops_the_cached_tokens():
    DatabaseCredentialStore().save(StoredCredentials(refresh_token="old", token_cache="{}"))

    partner_center_credential_set_refresh_token(refresh_token="  new-refresh-token\n")

    row = PartnerCenterCredential.objects.get()
    assert decrypt_text(row.encrypted_refresh_token) == "new-refresh-token"
    assert row.encrypted_token_cache == ""


@pytest.mark.parametrize("refresh_token", ["", "   \n", "two words"])
def test_setting_a_blank_or_broken_refresh_token_is_refused(refresh_token):
    with pytest.raises(ValueError):
        partner_center_credential_set_refresh_token(refresh_token=refresh_token)

    assert not PartnerCenterCredential.objects.exists()


def test_set_refresh_token_command_reads_standard_input(monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("token-from-stdin\n"))
    output = io.StringIO()

    call_command("partnercenter_set_refresh_token", stdout=output)

    assert DatabaseCredentialStore().load().refresh_token == "token-from-stdin"
    assert "token-from-stdin" not in output.getvalue()


def test_set_refresh_token_command_does_not_take_it_as_an_argument():
    with pytest.raises(CommandError):
        call_command("partnercenter_set_refresh_token", "token-on-the-command-line")

    assert not PartnerCenterCredential.objects.exists()


def test_calls_are_recorded_with_the_order_of_the_surrounding_context():
    partner_center_call_record(a_call_record(ms_request_id="before"))
    with partner_center_call_context(order_id=42):
        partner_center_call_record(a_call_record(ms_request_id="inside"))
        with partner_center_call_context(order_id=43):
            partner_center_call_record(a_call_record(ms_request_id="nested"))
        partner_center_call_record(a_call_record(ms_request_id="inside-again"))
    partner_center_call_record(a_call_record(ms_request_id="after"))

    orders = dict(PartnerCenterCall.objects.values_list("ms_request_id", "order_id"))
    assert orders == {
        "before": None,
        "inside": 42,
        "nested": 43,
        "inside-again": 42,
        "after": None,
    }


def test_the_factorys_client_uses_the_settings_records_calls_and_keeps_tokens_encrypted(
    pc_sandbox,
):
    with partner_center_call_context(order_id=7), partner_center_client() as client:
        resellers = client.list_indirect_resellers()

    assert len(resellers) == 4
    call = PartnerCenterCall.objects.get()
    assert (call.operation, call.method, call.status, call.order_id) == (
        "reseller_list",
        "GET",
        200,
        7,
    )
    assert call.path == "/v1/relationships?relationship_type=IsIndirectCloudSolutionProviderOf"
    assert call.ms_request_id == pc_sandbox.control.calls(path_prefix="/v1/")[0]["ms_request_id"]
    row = PartnerCenterCredential.objects.get()
    assert decrypt_text(row.encrypted_refresh_token).startswith("sbx-rt.")
    assert "sbx-at." not in row.encrypted_token_cache


def test_a_new_process_reuses_the_tokens_stored_in_the_database(pc_sandbox):
    with partner_center_client() as client:
        client.list_indirect_resellers()
    services._shared_token_provider.cache_clear()

    with partner_center_client() as client:
        client.list_indirect_resellers()

    assert pc_sandbox.control.token_requests() == 1


def test_invitation_url_is_the_sandbox_page_in_sandbox_mode(pc_sandbox):
    url = partner_center_invitation_url(
        reseller_tenant_id="3f2a6c1e-5b7d-4e8f-9a0b-1c2d3e4f5a6b",
        customer_domain="fabrikamsrl.onmicrosoft.com",
    )

    assert url == (
        f"{pc_sandbox.base_url}/_sandbox/invitation?domain=fabrikamsrl.onmicrosoft.com"
        "&partnerId=3f2a6c1e-5b7d-4e8f-9a0b-1c2d3e4f5a6b"
        "&indirectCSPId=9171ce5b-baff-48a6-9656-c801daeb9a56"
    )


def test_invitation_url_is_microsofts_indirect_reseller_form_otherwise(settings):
    settings.PARTNER_CENTER_SANDBOX_ENABLED = False

    url = partner_center_invitation_url(reseller_tenant_id="reseller-tenant")

    assert url == (
        "https://admin.microsoft.com/Adminportal/Home?invType=IndirectResellerRelationship"
        "&partnerId=reseller-tenant&msppId=0&indirectCSPId=9171ce5b-baff-48a6-9656-c801daeb9a56"
        "&DAP=false#/BillingAccounts/partner-invitation"
    )


def test_check_command_reports_tokens_and_calls_of_both_kinds(pc_sandbox):
    output = io.StringIO()

    call_command("partnercenter_check", stdout=output)

    lines = output.getvalue().splitlines()
    assert lines[0] == f"sandbox: {pc_sandbox.base_url}"
    assert [line.split(":")[0].strip() for line in lines[3:]] == [
        "OK   app-only token",
        "OK   app+user token",
        "OK   API with app-only token",
        "OK   API with app+user token",
    ]
    assert "sbx-at." not in output.getvalue()


def test_check_command_fails_when_the_app_is_refused(pc_sandbox, settings):
    settings.PARTNER_CENTER_CLIENT_SECRET = "not-the-secret"
    output = io.StringIO()

    with pytest.raises(CommandError, match="app-only token, app\\+user token"):
        call_command("partnercenter_check", stdout=output)

    assert "FAIL app-only token: PartnerCenterUnauthorized" in output.getvalue()


def test_call_log_admin_is_read_only():
    request = RequestFactory().get("/admin/")
    model_admin = PartnerCenterCallAdmin(PartnerCenterCall, admin.site)

    assert model_admin.has_add_permission(request) is False
    assert model_admin.has_change_permission(request) is False
    assert model_admin.has_delete_permission(request) is False


@pytest.fixture
def sent_timeouts(monkeypatch):
    """The timeout of every request sent to the Partner Center API (not the token endpoint)."""
    import requests

    sent = []
    real_send = requests.adapters.HTTPAdapter.send

    def send(adapter, request, **kwargs):
        if "/v1/" in request.url:
            sent.append(kwargs.get("timeout"))
        return real_send(adapter, request, **kwargs)

    monkeypatch.setattr(requests.adapters.HTTPAdapter, "send", send)
    return sent


def test_client_timeouts_default_to_the_settings_and_may_be_overridden(
    pc_sandbox, settings, sent_timeouts
):
    settings.PARTNER_CENTER_CONNECT_TIMEOUT, settings.PARTNER_CENTER_READ_TIMEOUT = 5.0, 30.0

    with partner_center_client() as client:
        client.is_domain_taken("contosoitalia")
    with partner_center_client(connect_timeout=3.0, read_timeout=8.0) as client:
        client.is_domain_taken("contosoitalia")

    assert sent_timeouts == [(5.0, 30.0), (3.0, 8.0)]


def test_interactive_timeouts_are_short_and_the_others_the_settings():
    assert services.partner_center_timeouts(interactive=True) == {
        "connect_timeout": 3.0,
        "read_timeout": 8.0,
    }
    assert services.partner_center_timeouts(interactive=False) == {}
