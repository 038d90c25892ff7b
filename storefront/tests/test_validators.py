import pytest
from django.core.exceptions import ValidationError

from storefront.validators import validate_mpn_id, validate_partita_iva


@pytest.mark.parametrize("value", ["01234567897", "12345678903", "00743110157"])
def test_valid_partita_iva_passes(value):
    validate_partita_iva(value)


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("01234567890", "partita_iva_check_digit"),
        ("0123456789", "partita_iva_format"),
        ("012345678971", "partita_iva_format"),
        ("0123456789A", "partita_iva_format"),
        ("IT01234567897", "partita_iva_format"),
        ("", "partita_iva_format"),
    ],
)
def test_invalid_partita_iva_is_refused_with_its_reason(value, code):
    with pytest.raises(ValidationError) as error:
        validate_partita_iva(value)
    assert error.value.code == code


@pytest.mark.parametrize("value", ["123456", "1234567890"])
def test_mpn_id_of_six_to_ten_digits_passes(value):
    validate_mpn_id(value)


@pytest.mark.parametrize("value", ["12345", "12345678901", "12345a7", " 1234567", ""])
def test_malformed_mpn_id_is_refused(value):
    with pytest.raises(ValidationError):
        validate_mpn_id(value)
