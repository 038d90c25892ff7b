"""The cart page's forms: they parse what was typed; the rules live in checkout.services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from checkout.models import Cart

QUANTITY_ERRORS = {
    "required": _("Indica il numero di licenze."),
    "invalid": _("Il numero di licenze deve essere un numero intero."),
}


class LineQuantityForm(forms.Form):
    quantity = forms.IntegerField(label=_("Licenze"), error_messages=QUANTITY_ERRORS)


class AddonAddForm(forms.Form):
    """An add-on for a base line of the cart; blank licences mean as many as the base line."""

    plan = forms.IntegerField(
        label=_("Add-on"),
        error_messages={
            "required": _("Scegli un add-on."),
            "invalid": _("L'add-on scelto non è disponibile con questo piano."),
        },
    )
    quantity = forms.IntegerField(
        label=_("Licenze"), required=False, error_messages=QUANTITY_ERRORS
    )

    def __init__(self, data=None, *, base_quantity: int, **kwargs):
        super().__init__(data, **kwargs)
        self.base_quantity = base_quantity

    def clean_quantity(self) -> int:
        quantity = self.cleaned_data["quantity"]
        return self.base_quantity if quantity is None else quantity


class CheckoutStartForm(forms.Form):
    """«Checkout >>»: the terms box is optional here on purpose, the service refuses without it."""

    terms_accepted = forms.BooleanField(
        label=_("Ho letto e accetto i termini di vendita"), required=False
    )
    terms_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    purchase_type = forms.ChoiceField(
        label=_("Tipo di acquisto"),
        choices=Cart.PurchaseType.choices,
        initial=Cart.PurchaseType.RESALE,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Scegli il tipo di acquisto."),
            "invalid_choice": _("Scegli il tipo di acquisto."),
        },
    )
