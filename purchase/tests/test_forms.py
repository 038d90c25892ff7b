import pytest

from purchase.forms import CompanyForm, PartnerForm, TenantForm
from tenants.tests.factories import VALID_VAT_NUMBER, company_data

pytestmark = pytest.mark.django_db


def test_valid_company_data_is_normalised():
    given = company_data(
        company_name="  Nuova   Impresa  S.r.l. ",
        vat_number="IT 012 345 601 57",
        fiscal_code=" rssmra80a01h501u ",
        city=" Torino ",
        province="to",
        contact_email="Luca.Neri@NuovaImpresa.Example",
        contact_phone="+39  011   7654321",
        sdi_code="abc1234",
        pec_email="Fatture@PEC.Example",
    )

    form = CompanyForm(data=given)

    assert form.is_valid(), form.errors
    assert form.cleaned_data == {
        "company_name": "Nuova Impresa S.r.l.",
        "vat_number": VALID_VAT_NUMBER,
        "fiscal_code": "RSSMRA80A01H501U",
        "address_line": "Via Torino 10",
        "postal_code": "10121",
        "city": "Torino",
        "province": "TO",
        "country": "IT",
        "contact_first_name": "Luca",
        "contact_last_name": "Neri",
        "contact_email": "luca.neri@nuovaimpresa.example",
        "contact_phone": "+39 011 7654321",
        "pec_email": "fatture@pec.example",
        "sdi_code": "ABC1234",
    }


@pytest.mark.parametrize(
    ("vat_number", "message"),
    [
        ("01234560158", "La Partita IVA non è valida: la cifra di controllo non corrisponde."),
        ("0123456789", "La Partita IVA deve essere composta da 11 cifre."),
        ("012345678970", "La Partita IVA deve essere composta da 11 cifre."),
        ("ABCDEFGHIJK", "La Partita IVA deve essere composta da 11 cifre."),
        ("0123456789A", "La Partita IVA deve essere composta da 11 cifre."),
    ],
)
def test_partita_iva_is_refused_beside_its_field_keeping_what_was_typed(vat_number, message):
    form = CompanyForm(data=company_data(vat_number=vat_number))

    assert form.is_valid() is False
    assert form.errors == {"vat_number": [message]}
    assert f'value="{vat_number}"' in str(form["vat_number"])


def test_partita_iva_with_the_right_check_digit_is_accepted():
    form = CompanyForm(data=company_data(vat_number="00743110157"))

    assert form.is_valid(), form.errors
    assert form.cleaned_data["vat_number"] == "00743110157"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("postal_code", "2012", "Il CAP è composto da 5 cifre."),
        ("postal_code", "2012A", "Il CAP è composto da 5 cifre."),
        ("province", "Milano", "La provincia è la sigla di 2 lettere, per esempio MI."),
        (
            "fiscal_code",
            "RSSMRA80A01",
            "Il codice fiscale ha 16 caratteri (lettere e cifre) o, per un'azienda, 11 cifre.",
        ),
        ("sdi_code", "ABC12", "Il codice SDI ha 7 caratteri, lettere e cifre."),
        ("contact_email", "non-una-mail", "Inserisci un indirizzo email valido."),
        (
            "contact_phone",
            "telefono",
            "Inserisci un numero di telefono: cifre, con + internazionale facoltativo.",
        ),
        ("country", "FR", "Scegli un'opzione valida. FR non è tra quelle disponibili."),
    ],
)
def test_bad_company_field_is_refused_beside_it(field, value, message):
    form = CompanyForm(data=company_data(**{field: value}))

    assert form.is_valid() is False
    assert form.errors == {field: [message]}


def test_company_fiscal_code_of_eleven_digits_is_accepted():
    form = CompanyForm(data=company_data(fiscal_code="00743110157"))

    assert form.is_valid(), form.errors


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("contoso-italia", "solo lettere e cifre"),
        ("contoso_italia", "solo lettere e cifre"),
        ("a" * 28, "al massimo 27 caratteri (ne hai inseriti 28)"),
        ("", "Inserisci il Domain Prefix."),
    ],
)
def test_tenant_form_refuses_a_bad_prefix(typed, message):
    form = TenantForm(data={"tenant_domain_prefix": typed})

    assert form.is_valid() is False
    assert message in form.errors["tenant_domain_prefix"][0]


def test_tenant_form_normalises_upper_case():
    form = TenantForm(data={"tenant_domain_prefix": "ContosoItalia"})

    assert form.is_valid()
    assert form.cleaned_data["tenant_domain_prefix"] == "contosoitalia"


@pytest.mark.parametrize("typed", ["12345", "12345678901", "12a4567", "MPN1234567"])
def test_partner_form_refuses_an_mpn_id_of_the_wrong_format(typed):
    form = PartnerForm(data={"mpn_id": typed})

    assert form.is_valid() is False
    assert form.errors == {"mpn_id": ["L'MPN ID è composto solo da cifre, da 6 a 10."]}


def test_partner_form_accepts_digits_with_spaces_around():
    form = PartnerForm(data={"mpn_id": " 1234567 "})

    assert form.is_valid()
    assert form.cleaned_data["mpn_id"] == "1234567"


OTHER_DIGITS_MESSAGE = (
    "Scrivi le cifre da 0 a 9: il valore contiene cifre di un altro sistema di scrittura "
    "(per esempio arabe o a larghezza intera)."
)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("vat_number", "٠٠٧٤٣١١٠١٥٧"),  # Arabic-Indic 00743110157
        ("vat_number", "００７４３１１０１５７"),  # full-width
        ("fiscal_code", "RSSMRA٨٥T10A562S"),
        ("fiscal_code", "００７４３１１０１５７"),
        ("postal_code", "٢٠١٢١"),
        ("postal_code", "２０１２１"),
        ("sdi_code", "ABC١٢٣٤"),
        ("contact_phone", "+39 ０２ １２３４５６７"),
        ("contact_phone", "+39 ٠٢ ١٢٣٤٥٦٧"),
    ],
)
def test_digits_other_than_0_to_9_are_refused_with_their_message(field, value):
    form = CompanyForm(data=company_data(**{field: value}))

    assert form.is_valid() is False
    assert form.errors == {field: [OTHER_DIGITS_MESSAGE]}


@pytest.mark.parametrize(
    ("fiscal_code", "message"),
    [
        (
            "RSSMRA85T10A562T",
            "Il codice fiscale non è valido: il carattere di controllo non corrisponde.",
        ),
        (
            "01234560158",
            "Il codice fiscale di 11 cifre non è valido: la cifra di controllo non corrisponde.",
        ),
    ],
)
def test_fiscal_code_is_checked_by_its_control_character(fiscal_code, message):
    form = CompanyForm(data=company_data(fiscal_code=fiscal_code))

    assert form.is_valid() is False
    assert form.errors == {"fiscal_code": [message]}


def test_person_fiscal_code_is_accepted_in_lower_case_with_spaces():
    form = CompanyForm(data=company_data(fiscal_code=" rssmra 85t10 a562s "))

    assert form.is_valid(), form.errors
    assert form.cleaned_data["fiscal_code"] == "RSSMRA85T10A562S"


@pytest.mark.parametrize("typed", ["١٢٣٤٥٦٧", "１２３４５６７"])
def test_partner_form_refuses_an_mpn_id_in_other_digits(typed):
    form = PartnerForm(data={"mpn_id": typed})

    assert form.is_valid() is False
    assert form.errors == {"mpn_id": [OTHER_DIGITS_MESSAGE]}


@pytest.mark.parametrize("typed", ["contoso٢٠٢٦", "contoso２０２６"])
def test_tenant_form_refuses_a_prefix_in_other_digits(typed):
    form = TenantForm(data={"tenant_domain_prefix": typed})

    assert form.is_valid() is False
    assert form.errors == {
        "tenant_domain_prefix": [
            "Il Domain Prefix può contenere solo le cifre da 0 a 9: hai inserito cifre di un "
            "altro sistema di scrittura (per esempio arabe o a larghezza intera)."
        ]
    }
