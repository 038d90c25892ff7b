"""The sandbox itself: invitation page, control API, persistent state, certificate."""

import stat

import requests
from werkzeug.test import Client

from partnercenter_sandbox import demo
from partnercenter_sandbox.app import SandboxApp
from partnercenter_sandbox.certificate import ensure_certificate
from partnercenter_sandbox.config import SandboxConfig


def page(pc_sandbox, method: str, path: str, **kwargs) -> requests.Response:
    return requests.request(
        method, pc_sandbox.base_url + path, verify=pc_sandbox.ca_bundle, timeout=5, **kwargs
    )


def test_invitation_page_shows_the_accept_button_with_the_domain_escaped(pc_sandbox):
    response = page(
        pc_sandbox, "GET", "/_sandbox/invitation", params={"domain": '<b>"x"</b>', "partnerId": "p"}
    )

    assert response.status_code == 200
    assert 'value="&lt;b&gt;&quot;x&quot;&lt;/b&gt;"' in response.text
    assert '<button type="submit">Accetta</button>' in response.text
    assert "<b>" not in response.text


def test_accepting_on_the_invitation_page_makes_the_tenant_a_customer(pc_sandbox):
    response = page(
        pc_sandbox,
        "POST",
        "/_sandbox/invitation",
        data={"domain": "fabrikamsrl.onmicrosoft.com", "partnerId": demo.DEMO_RESELLER_TENANT_ID},
    )

    assert response.status_code == 200
    assert "Relazione accettata" in response.text
    fabrikam = next(
        tenant
        for tenant in pc_sandbox.control.state()["tenants"]
        if tenant["id"] == demo.FABRIKAM_TENANT_ID
    )
    assert (fabrikam["relationship_accepted"], fabrikam["reseller_tenant_id"]) == (
        True,
        demo.DEMO_RESELLER_TENANT_ID,
    )


def test_accepting_for_an_unknown_tenant_is_not_found_and_changes_nothing(pc_sandbox):
    before = pc_sandbox.control.state()["tenants"]

    response = page(pc_sandbox, "POST", "/_sandbox/invitation", data={"domain": "x.example"})

    assert response.status_code == 404
    assert pc_sandbox.control.state()["tenants"] == before


def test_control_api_adds_tenants_and_resellers(pc_sandbox):
    pc_sandbox.control.add_tenant("nuovo.onmicrosoft.com", company_name="Nuovo S.p.A.")
    pc_sandbox.control.set_reseller("7777777", name="Altro Rivenditore S.r.l.")

    state = pc_sandbox.control.state()
    nuovo = next(t for t in state["tenants"] if t["domain"] == "nuovo.onmicrosoft.com")
    assert (nuovo["company_name"], nuovo["relationship_accepted"]) == ("Nuovo S.p.A.", False)
    reseller = next(r for r in state["resellers"] if r["mpn_id"] == "7777777")
    assert (reseller["relationship_state"], reseller["agreement"]) == ("Active", "signed")


def test_control_api_refuses_a_bad_fault_with_400(pc_sandbox):
    response = page(pc_sandbox, "POST", "/_sandbox/faults", json={"kind": "explode"})

    assert response.status_code == 400
    assert pc_sandbox.control.state()["delays"]["order_completion_seconds"] == 0


def test_reset_without_demo_set_leaves_an_empty_partner_center(pc_sandbox):
    state = pc_sandbox.control.reset(demo=False)

    assert (state["tenants"], state["resellers"]) == ([], [])


def test_state_persists_in_the_sandbox_database_file(tmp_path):
    config = SandboxConfig(database_path=str(tmp_path / "sandbox.sqlite3"))
    Client(SandboxApp(config)).post(
        "/_sandbox/tenants", json={"domain": "persistente.onmicrosoft.com"}
    )

    restarted = Client(SandboxApp(config))

    domains = [tenant["domain"] for tenant in restarted.get("/_sandbox/state").json["tenants"]]
    assert "persistente.onmicrosoft.com" in domains
    assert "contosoitalia.onmicrosoft.com" in domains


def test_certificate_is_created_once_with_a_private_key_only_the_owner_reads(tmp_path):
    certificate, key = tmp_path / "sandbox" / "cert.pem", tmp_path / "sandbox" / "key.pem"

    ensure_certificate(certificate, key)
    first = certificate.read_bytes()
    ensure_certificate(certificate, key)

    assert certificate.read_bytes() == first
    assert first.startswith(b"-----BEGIN CERTIFICATE-----")
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
