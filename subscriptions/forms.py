"""The forms of the subscription pages: filters of the list and one form per change.

Every change form carries ``idempotency_key``, drawn when the page is rendered: submitting the
same form twice (a double click, a reload, two tabs) finds the first request.
"""

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from subscriptions.models import ReminderKind, Subscription

MAX_SEATS = 10_000


class ListFilterForm(forms.Form):
    q = forms.CharField(label=_("Cerca"), required=False, max_length=100)
    cliente = forms.IntegerField(
        label=_("Cliente"), required=False, min_value=1, max_value=2**31 - 1
    )
    prodotto = forms.CharField(label=_("Prodotto"), required=False, max_length=32)
    stato = forms.ChoiceField(
        label=_("Stato"),
        required=False,
        choices=[("", _("Tutti")), *Subscription.Status.choices],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    finestra = forms.BooleanField(label=_("Finestra di cancellazione aperta"), required=False)
    rinnovo = forms.BooleanField(label=_("Rinnovo entro 30 giorni"), required=False)
    senza_rinnovo = forms.BooleanField(label=_("Rinnovo automatico disattivato"), required=False)
    pagina = forms.IntegerField(required=False, min_value=1, max_value=10**6)

    def clean_q(self) -> str:
        return self.cleaned_data["q"].replace("\x00", "").strip()

    def clean_prodotto(self) -> str:
        return self.cleaned_data["prodotto"].replace("\x00", "").strip()


class _ChangeForm(forms.Form):
    idempotency_key = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", uuid.uuid4())


class SeatsForm(_ChangeForm):
    seats = forms.IntegerField(label=_("Licenze"), min_value=1, max_value=MAX_SEATS)

    def __init__(self, *args, max_seats: int = MAX_SEATS, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["seats"].widget.attrs["max"] = max_seats
        self.max_seats = max_seats

    def clean_seats(self) -> int:
        seats = self.cleaned_data["seats"]
        if seats > self.max_seats:
            raise forms.ValidationError(
                _("Al massimo %(max)s licenze."), params={"max": self.max_seats}
            )
        return seats


class CancelForm(_ChangeForm):
    confirm_name = forms.CharField(
        label=_("Scrivi il nome della sottoscrizione per confermare"), max_length=255
    )


class AutoRenewForm(_ChangeForm):
    enabled = forms.TypedChoiceField(
        label=_("Rinnovo automatico"),
        choices=[("on", _("Attivo")), ("off", _("Disattivato"))],
        coerce=lambda value: value == "on",
    )


class PlanRenewalForm(_ChangeForm):
    """The next term: licences, and product, term and billing among the catalogue's options."""

    quantity = forms.IntegerField(label=_("Licenze al rinnovo"), min_value=1, max_value=MAX_SEATS)
    target = forms.ChoiceField(
        label=_("Prodotto, durata e fatturazione"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def __init__(self, *args, options: list, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.options = {str(option.plan_id): option for option in options}
        self.fields["target"].choices = [
            (key, option.label) for key, option in self.options.items()
        ]

    def clean(self) -> dict:
        data = super().clean()
        option = self.options.get(data.get("target", ""))
        quantity = data.get("quantity")
        if option is None or quantity is None:
            return data
        if not option.min_quantity <= quantity <= option.max_quantity:
            self.add_error(
                "quantity",
                _("Per questo prodotto le licenze vanno da %(min)s a %(max)s.")
                % {"min": option.min_quantity, "max": option.max_quantity},
            )
            return data
        data["next_term"] = option.next_term(quantity)
        return data


class RemovePlanForm(_ChangeForm):
    pass


class ReminderPreferencesForm(forms.Form):
    """One switch per kind of reminder; a kind unticked is turned off."""

    def __init__(self, *args, turned_off: set[str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for kind, label in ReminderKind.choices:
            self.fields[kind] = forms.BooleanField(
                label=label, required=False, initial=kind not in turned_off
            )

    @property
    def turned_off(self) -> set[str]:
        return {kind for kind in ReminderKind.values if not self.cleaned_data.get(kind)}


class ConfirmForm(_ChangeForm):
    """Suspend or reactivate: nothing to choose, the page says what it means."""


class UpgradeForm(_ChangeForm):
    target = forms.ChoiceField(label=_("Nuovo prodotto"))
    seats = forms.IntegerField(label=_("Licenze da far passare"), min_value=1, max_value=MAX_SEATS)
    destination = forms.ChoiceField(label=_("Dove vanno le licenze"), required=False)

    def __init__(self, *args, targets=(), max_seats: int = MAX_SEATS, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = [(t.offer_id, t.title) for t in targets]
        self.fields["destination"].choices = [("", _("In una nuova sottoscrizione"))] + [
            (subscription_id, f"{name} · {subscription_id[:8]}")
            for t in targets
            for subscription_id, name in t.existing
        ]
        self.fields["seats"].widget.attrs["max"] = max_seats
        self.max_seats = max_seats

    def clean_seats(self) -> int:
        seats = self.cleaned_data["seats"]
        if seats > self.max_seats:
            raise forms.ValidationError(
                _("Al massimo %(max)s licenze."), params={"max": self.max_seats}
            )
        return seats
