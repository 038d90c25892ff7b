import pytest
from django.core.exceptions import ValidationError

from storefront.validators import (
    has_other_digits,
    validate_codice_fiscale,
    validate_mpn_id,
    validate_partita_iva,
    validate_postal_code,
)

OTHER_DIGITS_MESSAGE = (
    "Scrivi le cifre da 0 a 9: il valore contiene cifre di un altro sistema di scrittura "
    "(per esempio arabe o a larghezza intera)."
)
# The same valid values written with Arabic-Indic and with full-width digits.
ARABIC_INDIC_PARTITA_IVA = "٠٠٧٤٣١١٠١٥٧"  # 00743110157
FULL_WIDTH_PARTITA_IVA = "００７４３１１０１５７"  # 00743110157


def refusal(validator, value) -> tuple[str, str]:
    with pytest.raises(ValidationError) as error:
        validator(value)
    return error.value.code, error.value.messages[0]


@pytest.mark.parametrize("value", ["00743110157", "01234560157", "12345670017"])
def test_valid_partita_iva_passes(value):
    validate_partita_iva(value)


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("01234560158", "partita_iva_check_digit"),
        ("00743110158", "partita_iva_check_digit"),
        # The right Luhn digit, but 789 names no provincial office (digits 8–10).
        ("01234567897", "partita_iva_invalid"),
        ("00000000000", "partita_iva_invalid"),
        ("0123456015", "partita_iva_format"),
        ("012345601571", "partita_iva_format"),
        ("0123456015A", "partita_iva_format"),
        ("IT01234560157", "partita_iva_format"),
        ("", "partita_iva_format"),
    ],
)
def test_invalid_partita_iva_is_refused_with_its_reason(value, code):
    assert refusal(validate_partita_iva, value)[0] == code


def test_partita_iva_of_another_office_is_refused_with_a_clear_message():
    assert refusal(validate_partita_iva, "01234567897") == (
        "partita_iva_invalid",
        "La Partita IVA non è valida: non corrisponde a nessun numero assegnabile "
        "(controlla di averla copiata per intero).",
    )


@pytest.mark.parametrize("value", [ARABIC_INDIC_PARTITA_IVA, FULL_WIDTH_PARTITA_IVA])
def test_partita_iva_in_other_digits_is_refused_not_converted(value):
    assert refusal(validate_partita_iva, value) == ("other_digits", OTHER_DIGITS_MESSAGE)


@pytest.mark.parametrize(
    "value",
    [
        "RSSMRA85T10A562S",  # a person
        "RSSMRA80A01H501U",
        "RSSMRA85T10A56NH",  # omocodia: N stands for the digit 2
        "00743110157",  # a company: its P.IVA-like number
    ],
)
def test_valid_codice_fiscale_passes(value):
    validate_codice_fiscale(value)


@pytest.mark.parametrize(
    ("value", "code", "message"),
    [
        (
            "RSSMRA85T10A562T",
            "fiscal_code_check_digit",
            "Il codice fiscale non è valido: il carattere di controllo non corrisponde.",
        ),
        (
            "RSSMRA85T32A562Y",
            "fiscal_code_birth_date",
            "Il codice fiscale non è valido: la data di nascita che contiene non esiste.",
        ),
        (
            "RSSMRA85T1OA562S",
            "fiscal_code_pattern",
            "Il codice fiscale non è valido: lettere e cifre non sono al loro posto "
            "(per esempio RSSMRA85T10A562S).",
        ),
        (
            "RSSMRA85T10A562",
            "fiscal_code_format",
            "Il codice fiscale ha 16 caratteri (lettere e cifre) o, per un'azienda, 11 cifre.",
        ),
        (
            "00743110158",
            "fiscal_code_check_digit",
            "Il codice fiscale di 11 cifre non è valido: la cifra di controllo non corrisponde.",
        ),
        (
            "01234567897",
            "fiscal_code_invalid",
            "Il codice fiscale di 11 cifre non è valido: non corrisponde a nessun numero "
            "assegnabile.",
        ),
        ("RSSMRA٨٥T10A562S", "other_digits", OTHER_DIGITS_MESSAGE),
        ("RSSMRA８５T10A562S", "other_digits", OTHER_DIGITS_MESSAGE),
        (ARABIC_INDIC_PARTITA_IVA, "other_digits", OTHER_DIGITS_MESSAGE),
    ],
)
def test_invalid_codice_fiscale_is_refused_with_its_reason(value, code, message):
    assert refusal(validate_codice_fiscale, value) == (code, message)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("20121", None), ("2012", "postal_code_format"), ("٢٠١٢١", "other_digits")],
)
def test_postal_code_takes_five_ascii_digits(value, expected):
    if expected is None:
        validate_postal_code(value)
    else:
        assert refusal(validate_postal_code, value)[0] == expected


def test_postal_code_in_full_width_digits_is_refused_with_the_message():
    assert refusal(validate_postal_code, "２０１２１") == ("other_digits", OTHER_DIGITS_MESSAGE)


@pytest.mark.parametrize("value", ["123456", "1234567890"])
def test_mpn_id_of_six_to_ten_digits_passes(value):
    validate_mpn_id(value)


@pytest.mark.parametrize("value", ["12345", "12345678901", "12345a7", " 1234567", ""])
def test_malformed_mpn_id_is_refused(value):
    assert refusal(validate_mpn_id, value)[0] == "mpn_id_format"


@pytest.mark.parametrize("value", ["١٢٣٤٥٦٧", "１２３４５６７", "123456٧"])
def test_mpn_id_in_other_digits_is_refused_with_the_message(value):
    assert refusal(validate_mpn_id, value) == ("other_digits", OTHER_DIGITS_MESSAGE)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("0123456789", False), ("abc", False), ("", False), ("12٣", True), ("１", True), ("²", True)],
)
def test_other_digits_are_any_digit_but_0_to_9(value, expected):
    assert has_other_digits(value) is expected
