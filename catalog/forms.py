"""«Aggiungi al carrello»: a plan, its number of licences and the add-ons chosen with it."""

from dataclasses import dataclass

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from catalog.models import Plan
from catalog.selectors import PlanOffer, PlanPrice

ADDON_QUANTITY_PREFIX = "addon_quantity_"


@dataclass(frozen=True)
class AddonQuantity:
    plan: Plan
    quantity: int


class AddToCartForm(forms.Form):
    """Validates a purchase of one plan against the offer the product page showed.

    POST fields: ``plan`` (plan id), ``quantity`` (licences), ``addons`` (add-on plan ids, repeated)
    and ``addon_quantity_<add-on plan id>`` (blank: as many as the base plan). After ``is_valid()``
    ``cleaned_data`` holds ``plan`` (Plan), ``quantity`` (int) and ``addons`` (list of
    AddonQuantity, in the order the page lists them).
    """

    plan = forms.IntegerField(widget=forms.HiddenInput)
    quantity = forms.IntegerField(
        label=_("Licenze"),
        error_messages={
            "required": _("Indica il numero di licenze."),
            "invalid": _("Il numero di licenze deve essere un numero intero."),
        },
    )
    addons = forms.MultipleChoiceField(
        label=_("Add-on"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("L'add-on scelto non è disponibile con questo piano.")},
    )

    def __init__(self, data=None, *, offer: PlanOffer, **kwargs):
        kwargs.setdefault("auto_id", f"plan-{offer.plan.pk}-%s")
        super().__init__(data, **kwargs)
        self.offer = offer
        sku = offer.sku
        self.fields["plan"].initial = offer.plan.pk
        quantity = self.fields["quantity"]
        quantity.initial = sku.min_quantity
        quantity.widget.attrs.update({"min": sku.min_quantity, "max": sku.max_quantity})
        self.fields["addons"].choices = [
            (str(addon.plan.pk), addon.plan.sku.title) for addon in offer.addon_plan_prices
        ]
        for addon in offer.addon_plan_prices:
            self.fields[self.addon_quantity_name(addon)] = forms.IntegerField(
                label=_("Licenze di %(addon)s") % {"addon": addon.plan.sku.title},
                required=False,
                error_messages={
                    "invalid": _("Il numero di licenze deve essere un numero intero."),
                },
                widget=forms.NumberInput(
                    attrs={"min": addon.plan.sku.min_quantity, "max": addon.plan.sku.max_quantity}
                ),
            )

    @staticmethod
    def addon_quantity_name(addon: PlanPrice) -> str:
        return f"{ADDON_QUANTITY_PREFIX}{addon.plan.pk}"

    def addon_rows(self) -> list[tuple[PlanPrice, bool, forms.BoundField]]:
        """For the template: each add-on with whether it is ticked and its quantity field."""
        ticked = {str(value) for value in (self["addons"].value() or [])}
        return [
            (addon, str(addon.plan.pk) in ticked, self[self.addon_quantity_name(addon)])
            for addon in self.offer.addon_plan_prices
        ]

    def clean_plan(self) -> Plan:
        if self.cleaned_data["plan"] != self.offer.plan.pk:
            raise forms.ValidationError(_("Il piano scelto non corrisponde all'offerta."))
        if self.offer.sku.is_addon:
            raise forms.ValidationError(
                _("Questo add-on si acquista insieme a un prodotto base, dalla sua pagina.")
            )
        return self.offer.plan

    def clean_quantity(self) -> int:
        quantity = self.cleaned_data["quantity"]
        _check_quantity(quantity, self.offer.plan_price)
        return quantity

    def clean(self):
        cleaned = super().clean()
        chosen = set(cleaned.get("addons") or [])
        base_quantity = cleaned.get("quantity")
        addons = []
        for addon in self.offer.addon_plan_prices:
            if str(addon.plan.pk) not in chosen:
                continue
            field_name = self.addon_quantity_name(addon)
            if field_name in self.errors:
                continue
            quantity = cleaned.get(field_name) or base_quantity
            if quantity is None:
                continue  # the base quantity is wrong, and already says so
            try:
                _check_quantity(quantity, addon)
                _check_addon_within_base(quantity, addon, base_quantity)
            except forms.ValidationError as error:
                self.add_error(field_name, error)
                continue
            addons.append(AddonQuantity(plan=addon.plan, quantity=quantity))
        cleaned["addons"] = addons
        return cleaned


def _check_quantity(quantity: int, plan_price: PlanPrice) -> None:
    sku = plan_price.plan.sku
    if quantity < sku.min_quantity:
        raise forms.ValidationError(
            ngettext(
                "Per %(sku)s serve almeno %(min)d licenza.",
                "Per %(sku)s servono almeno %(min)d licenze.",
                sku.min_quantity,
            )
            % {"sku": sku.title, "min": sku.min_quantity},
            code="min_quantity",
        )
    if quantity > sku.max_quantity:
        raise forms.ValidationError(
            ngettext(
                "Per %(sku)s si può acquistare al massimo %(max)d licenza.",
                "Per %(sku)s si possono acquistare al massimo %(max)d licenze.",
                sku.max_quantity,
            )
            % {"sku": sku.title, "max": sku.max_quantity},
            code="max_quantity",
        )


def _check_addon_within_base(quantity: int, addon: PlanPrice, base_quantity: int | None) -> None:
    if base_quantity is None or addon.plan.sku.allows_quantity_above_base:
        return
    if quantity > base_quantity:
        raise forms.ValidationError(
            _("Le licenze di %(addon)s non possono superare quelle del prodotto base (%(base)d).")
            % {"addon": addon.plan.sku.title, "base": base_quantity},
            code="addon_above_base",
        )
