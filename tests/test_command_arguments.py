"""Management commands refuse arguments out of range with a message saying what they expect,
before doing anything: no random port, no Partner Center call for an unknown country, no price
list import that would retire the whole catalog, no traceback."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from catalog.models import Plan
from catalog.pricelist.importer import pricelist_import
from catalog.services import DEMO_PRICELIST
from partnercenter.auth import MsalTokenProvider, StoredCredentials
from partnercenter.errors import PartnerCenterUnavailable
from partnercenter.tests.helpers import InMemoryCredentialStore
from partnercenter.transport import TokenKind

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("port", ["99999", "65536", "-1", "ottomila"])
def test_the_sandbox_refuses_a_port_out_of_range(settings, port):
    settings.PARTNER_CENTER_SANDBOX_ENABLED = True

    with pytest.raises(CommandError) as refused:
        call_command("partnercenter_sandbox", "--memory", "--port", port)

    assert str(refused.value) == (
        f"Error: argument --port: «{port}» non è una porta: serve un numero da 0 a 65535 "
        "(0: una porta libera)."
    )


def test_the_sandbox_refuses_a_configured_port_out_of_range(settings):
    settings.PARTNER_CENTER_SANDBOX_ENABLED = True
    settings.PARTNER_CENTER_SANDBOX_PORT = 99999

    with pytest.raises(CommandError, match="«99999» non è una porta"):
        call_command("partnercenter_sandbox", "--memory")


@pytest.mark.parametrize("country", ["XX", "ITA", "I", "1T", "EU", "ZZ", ""])
def test_sync_catalog_refuses_a_country_that_is_not_one_without_calling_partner_center(
    pc_sandbox, country
):
    with pytest.raises(CommandError) as refused:
        call_command("sync_catalog", "--country", country, "--dry-run")

    assert str(refused.value) == (
        f"Error: argument --country: «{country}» non è un paese: serve un codice ISO 3166 di due "
        "lettere, come IT."
    )
    assert pc_sandbox.control.calls(path_prefix="/v1/") == []


def test_sync_catalog_takes_a_country_code_in_any_case(pc_sandbox):
    output = StringIO()

    call_command("sync_catalog", "--country", "it", "--dry-run", stdout=output)

    assert "Prova (--dry-run)" in output.getvalue()
    queries = [call["query"] for call in pc_sandbox.control.calls(path_prefix="/v1/products")]
    assert queries and all("country=IT" in query for query in queries)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (("--market", "XX"), "argument --market: «XX» non è un paese"),
        (("--currency", "EUX"), "argument --currency: «EUX» non è una valuta"),
        (("--currency", "EURO"), "argument --currency: «EURO» non è una valuta"),
    ],
)
def test_import_pricelist_refuses_a_market_or_currency_that_does_not_exist(arguments, message):
    with pytest.raises(CommandError, match=message):
        call_command("import_pricelist", str(DEMO_PRICELIST), *arguments)

    assert Plan.objects.count() == 0


def test_a_price_list_without_rows_of_the_market_is_refused_instead_of_retiring_everything():
    # Given the Italian demo catalog imported
    pricelist_import(path=DEMO_PRICELIST)
    active_plans = Plan.objects.filter(is_active=True).count()

    # When the same file is imported for a market it has no rows of
    with pytest.raises(CommandError) as refused:
        call_command("import_pricelist", str(DEMO_PRICELIST), "--market", "US")

    # Then nothing is retired, and the message says why
    assert str(refused.value) == (
        "Listino non importato, nessuna modifica salvata. il listino non ha nessuna riga per il "
        "mercato US in EUR."
    )
    assert Plan.objects.filter(is_active=True).count() == active_plans > 0


@pytest.mark.parametrize("timeout", ["0", "-3", "nan", "inf", "mezzo"])
def test_check_worker_refuses_a_timeout_that_is_not_a_positive_finite_number(timeout):
    with pytest.raises(CommandError) as refused:
        call_command("check_worker", "--timeout", timeout)

    assert str(refused.value) == (
        f"Error: argument --timeout: «{timeout}» non è un numero di secondi maggiore di zero."
    )


def test_sweep_orders_refuses_a_threshold_too_large_to_be_a_duration():
    with pytest.raises(CommandError) as refused:
        call_command("sweep_orders", "--older-than-minutes", "99999999999999", "--dry-run")

    assert str(refused.value) == (
        "Error: argument --older-than-minutes: «99999999999999» non è un numero intero di "
        "minuti da 0 a 5270400."
    )


def test_an_unreadable_ca_bundle_is_an_unavailable_partner_center_not_a_traceback(tmp_path):
    provider = MsalTokenProvider(
        authority="https://login.example.test/9171ce5b-baff-48a6-9656-c801daeb9a56",
        client_id="client",
        client_secret="secret",
        credential_store=InMemoryCredentialStore(StoredCredentials("refresh")),
        ca_bundle=str(tmp_path / "missing" / "cert.pem"),
    )

    with pytest.raises(PartnerCenterUnavailable, match="identity platform unreachable"):
        provider.access_token(TokenKind.APP)


def test_a_folder_given_as_price_list_is_refused_with_a_message(tmp_path):
    with pytest.raises(CommandError, match=f"File non leggibile: {tmp_path} "):
        call_command("import_pricelist", str(tmp_path))


def test_the_refusal_is_in_english_when_english_is_chosen():
    with translation.override("en"), pytest.raises(CommandError) as refused:
        call_command("sync_catalog", "--country", "XX")

    assert str(refused.value) == (
        "Error: argument --country: “XX” is not a country: give a two-letter ISO 3166 code, "
        "such as IT."
    )
