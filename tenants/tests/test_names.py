import pytest

from tenants.errors import DomainPrefixInvalidError
from tenants.names import company_names_match, normalise_company_name, normalise_domain_prefix


@pytest.mark.parametrize(
    ("typed", "partner_center"),
    [
        ("Contoso Italia S.p.A.", "Contoso Italia S.p.A."),
        ("CONTOSO ITALIA SPA", "Contoso Italia S.p.A."),
        ("contoso  italia s.p.a", "Contoso Italia S.P.A."),
        ("Contoso Italia Società per Azioni", "Contoso Italia SpA"),
        ("Fabrikam srl", "Fabrikam S.r.l."),
        ("Fabrikam S.R.L.", "FABRIKAM SRL"),
        ("Fabrikam società a responsabilità limitata", "Fabrikam S.r.l."),
        ("Bianchi & Figli S.n.c.", "Bianchi e Figli snc"),
        ("Caffè Nerò S.r.l.s.", "Caffe Nero SRLS"),
    ],
)
def test_company_names_that_differ_only_in_form_match(typed, partner_center):
    assert company_names_match(typed, partner_center) is True


@pytest.mark.parametrize(
    ("typed", "partner_center"),
    [
        ("Contoso S.p.A.", "Contoso Italia S.p.A."),
        ("Fabrikam S.p.A.", "Fabrikam S.r.l."),
        ("Fabrikam S.r.l.", "Fabrikam S.r.l.s."),
        ("", "Fabrikam S.r.l."),
    ],
)
def test_company_names_that_differ_in_substance_do_not_match(typed, partner_center):
    assert company_names_match(typed, partner_center) is False


def test_normalised_company_name_is_lower_case_letters_and_digits_only():
    assert normalise_company_name("  Alfa 2000 – S.p.A.  ") == "alfa2000spa"


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
