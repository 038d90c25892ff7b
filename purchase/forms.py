"""Forms of the purchase wizard: they parse and normalise, nothing else."""

import re

from django import forms
from django.core.validators import MaxLengthValidator, RegexValidator
from django.utils.translation import gettext_lazy as _

from purchase.models import PurchaseDraft
from storefront.validators import validate_ascii_digits, validate_mpn_id
from tenants.errors import DomainPrefixInvalidError
from tenants.models import Customer
from tenants.names import normalise_domain_prefix

COMPANY_FIELDS = [
    "company_name",
    "vat_number",
    "fiscal_code",
    "address_line",
    "postal_code",
    "city",
    "province",
    "country",
    "contact_first_name",
    "contact_last_name",
    "contact_email",
    "contact_phone",
    "pec_email",
    "sdi_code",
]
PATTERN_FIELDS = ["vat_number", "fiscal_code", "postal_code", "province", "sdi_code"]
# The longest value kept from a half-filled step: the model's limits are all below it.
RAW_VALUE_MAX_LENGTH = 254

_sdi_code_pattern = RegexValidator(
    r"^[A-Z0-9]{7}$", _("Il codice SDI ha 7 caratteri, lettere e cifre.")
)
_phone_pattern = RegexValidator(
    r"^\+?[0-9][0-9 ./-]{4,24}$",
    _("Inserisci un numero di telefono: cifre, con + internazionale facoltativo."),
)


# One message per field: digits other than 0–9 are named as such, not as a wrong format.
def validate_sdi_code(value: str) -> None:
    validate_ascii_digits(value)
    _sdi_code_pattern(value)


def validate_phone(value: str) -> None:
    validate_ascii_digits(value)
    _phone_pattern(value)


def _collapse_spaces(value: str) -> str:
    return " ".join((value or "").split())


def raw_step_values(data, field_names) -> dict[str, str]:
    """What the user typed in a step, to keep when it cannot be validated (back, errors)."""
    return {
        name: str(data.get(name, ""))[:RAW_VALUE_MAX_LENGTH] for name in field_names if name in data
    }


class CustomerChoiceForm(forms.Form):
    choice = forms.ChoiceField(
        label=_("Acquista"),
        choices=PurchaseDraft.CustomerChoice.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Scegli per chi stai acquistando.")},
    )
    customer = forms.ModelChoiceField(
        label=_("Cliente"),
        queryset=Customer.objects.none(),
        required=False,
        empty_label=_("Scegli un cliente…"),
        error_messages={
            "invalid_choice": _("Il cliente scelto non è tra i tuoi clienti."),
        },
    )

    def __init__(self, *args, customers, **kwargs):
        """``customers``: the reseller's customers (already scoped by the view)."""
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = customers
        self.fields["customer"].label_from_instance = lambda customer: (
            f"{customer.company_name} · {customer.tenant_domain}"
        )

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("choice") == PurchaseDraft.CustomerChoice.EXISTING
            and not cleaned.get("customer")
            and "customer" not in self.errors
        ):
            self.add_error("customer", _("Scegli il cliente esistente."))
        return cleaned


def _normalise_vat_number(value: str) -> str:
    value = re.sub(r"\s", "", value).upper()
    return value.removeprefix("IT") if len(value) == 13 else value


def _without_spaces_upper(value: str) -> str:
    return re.sub(r"\s", "", value).upper()


# Applied before the validators run, so that "mi" is the province MI and "IT 0123..." a P.IVA.
COMPANY_NORMALISERS = {
    "company_name": _collapse_spaces,
    "vat_number": _normalise_vat_number,
    "fiscal_code": _without_spaces_upper,
    "address_line": _collapse_spaces,
    "city": _collapse_spaces,
    "province": _without_spaces_upper,
    "contact_first_name": _collapse_spaces,
    "contact_last_name": _collapse_spaces,
    "contact_phone": _collapse_spaces,
    "sdi_code": _without_spaces_upper,
}


class NormalisedCharField(forms.CharField):
    def __init__(self, *args, normalise, **kwargs):
        super().__init__(*args, **kwargs)
        self.normalise = normalise

    def to_python(self, value):
        value = super().to_python(value)
        return self.normalise(value) if value else value


def company_formfield(model_field, **kwargs):
    normalise = COMPANY_NORMALISERS.get(model_field.name)
    if normalise is not None:
        kwargs.update(form_class=NormalisedCharField, normalise=normalise)
    return model_field.formfield(**kwargs)


class CompanyForm(forms.ModelForm):
    """The «Azienda» step: the end customer's legal and contact data
    (docs/product.md#new-customer-wizard)."""

    country = forms.ChoiceField(label=_("Paese"), choices=[("IT", _("Italia"))], initial="IT")

    class Meta:
        model = Customer
        fields = COMPANY_FIELDS
        formfield_callback = company_formfield
        labels = {"company_name": _("Nome azienda")}
        help_texts = {
            "company_name": _(
                "La ragione sociale. IMPORTANTE: se il cliente ha già un tenant Microsoft, deve "
                "essere esattamente quella che compare in alto a destra nel suo portale "
                "Office 365."
            ),
            "vat_number": _("11 cifre."),
            "fiscal_code": _("Facoltativo: 16 caratteri, o 11 cifre per un'azienda."),
            "province": _("Sigla di 2 lettere, per esempio MI."),
            "pec_email": _("Facoltativa, per la fatturazione elettronica."),
            "sdi_code": _("Facoltativo, 7 caratteri, per la fatturazione elettronica."),
        }
        widgets = {
            "postal_code": forms.TextInput(attrs={"inputmode": "numeric"}),
            "contact_phone": forms.TextInput(attrs={"type": "tel"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sdi_code"].validators.append(validate_sdi_code)
        self.fields["contact_phone"].validators.append(validate_phone)
        # People paste "IT 01234560157": the limit applies after normalising, not while typing.
        self.fields["vat_number"].widget.attrs.pop("maxlength", None)
        # These fields' own rule states the length too: check it here, with the form, and give
        # one message rather than a length error followed by the rule.
        for name in PATTERN_FIELDS:
            field = self.fields[name]
            field.validators = [
                validator
                for validator in [*field.validators, *Customer._meta.get_field(name).validators]
                if not isinstance(validator, MaxLengthValidator)
            ]

    def clean_contact_email(self):
        return self.cleaned_data["contact_email"].lower()

    def clean_pec_email(self):
        return self.cleaned_data["pec_email"].lower()


class TenantForm(forms.Form):
    """The «Tenant» step: the «Domain Prefix», normalised to lower case."""

    tenant_domain_prefix = forms.CharField(
        label=_("Domain Prefix"),
        max_length=RAW_VALUE_MAX_LENGTH,
        help_text=_(
            "Da 1 a 27 lettere e cifre. Se il cliente ha già un tenant, il suo prefisso "
            "(es. ragionesociale per ragionesociale.onmicrosoft.com); altrimenti quello del nuovo "
            "tenant da creare."
        ),
        error_messages={"required": _("Inserisci il Domain Prefix.")},
    )

    def clean_tenant_domain_prefix(self):
        try:
            return normalise_domain_prefix(self.cleaned_data["tenant_domain_prefix"])
        except DomainPrefixInvalidError as exc:
            raise forms.ValidationError(exc.message, code=exc.code) from exc


class PartnerForm(forms.Form):
    """The «Partner» step: the reseller's MPN ID, checked for format before Partner Center.

    Shown read-only: only the one the distributor registered on the profile is accepted
    (resellers/services.py), so a field that looked editable would only invite a refusal.
    """

    mpn_id = forms.CharField(
        label=_("MPN ID"),
        max_length=RAW_VALUE_MAX_LENGTH,
        help_text=_(
            "Il tuo Microsoft Partner ID (PartnerOne ID) registrato presso il distributore: "
            "non si modifica qui."
        ),
        error_messages={"required": _("Inserisci il tuo MPN ID.")},
        widget=forms.TextInput(attrs={"readonly": True, "autocomplete": "off"}),
    )

    def clean_mpn_id(self):
        value = re.sub(r"\s", "", self.cleaned_data["mpn_id"])
        validate_mpn_id(value)
        return value
