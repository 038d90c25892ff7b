import pytest

from tenants.errors import DomainPrefixInvalidError
from tenants.names import company_name_as_written, company_names_match, normalise_domain_prefix


@pytest.mark.parametrize(
    ("typed", "partner_center"),
    [
        ("Contoso Italia S.p.A.", "Contoso Italia S.p.A."),
        ("  Contoso   Italia S.p.A. ", "Contoso Italia S.p.A."),
        ("Caffe\u0300 Nero S.r.l.", "Caffè Nero S.r.l."),  # è typed as e + combining accent
    ],
)
def test_company_names_that_differ_only_in_spacing_match(typed, partner_center):
    assert company_names_match(typed, partner_center) is True


@pytest.mark.parametrize(
    ("typed", "partner_center"),
    [
        ("Fabrikam Srl", "Fabrikam S.r.l."),  # the guide's «esatta ragione sociale»
        ("Fabrikam S.R.L.", "Fabrikam S.r.l."),
        ("CONTOSO ITALIA SPA", "Contoso Italia S.p.A."),
        ("Contoso Italia Società per Azioni", "Contoso Italia S.p.A."),
        ("Bianchi & Figli S.n.c.", "Bianchi e Figli S.n.c."),
        ("Contoso S.p.A.", "Contoso Italia S.p.A."),
        ("Fabrikam S.r.l.", "Fabrikam S.r.l.s."),
        ("", "Fabrikam S.r.l."),
    ],
)
def test_company_names_that_differ_in_any_letter_or_sign_do_not_match(typed, partner_center):
    assert company_names_match(typed, partner_center) is False


def test_a_company_name_as_written_ignores_only_spacing():
    assert company_name_as_written("  Alfa 2000 –  S.p.A.  ") == "Alfa 2000 – S.p.A."


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("ContosoItalia", "contosoitalia"),
        ("  contoso2026 ", "contoso2026"),
        ("CONTOSO.onmicrosoft.com", "contoso"),
        ("a", "a"),
        ("a" * 27, "a" * 27),
    ],
)
def test_domain_prefix_is_stored_lower_case_without_suffix(typed, stored):
    assert normalise_domain_prefix(typed) == stored


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Inserisci il Domain Prefix."),
        ("a" * 28, "Il Domain Prefix ha al massimo 27 caratteri (ne hai inseriti 28)."),
        (
            "contoso-italia",
            "Il Domain Prefix può contenere solo lettere e cifre, senza spazi, trattini, punti o "
            "lettere accentate.",
        ),
        (
            "caffè",
            "Il Domain Prefix può contenere solo lettere e cifre, senza spazi, trattini, punti o "
            "lettere accentate.",
        ),
        (
            "contoso italia",
            "Il Domain Prefix può contenere solo lettere e cifre, senza spazi, trattini, punti o "
            "lettere accentate.",
        ),
    ],
)
def test_bad_domain_prefix_is_refused_with_the_rule_it_breaks(typed, message):
    with pytest.raises(DomainPrefixInvalidError) as refusal:
        normalise_domain_prefix(typed)

    assert refusal.value.code == "domain_prefix_invalid"
    assert str(refusal.value.message) == message
