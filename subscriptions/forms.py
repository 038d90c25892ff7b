"""The forms of the subscription pages: filters of the list and one form per change.

Every change form carries ``idempotency_key``, drawn when the page is rendered: submitting the
same form twice (a double click, a reload, two tabs) finds the first request.
"""

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from subscriptions.models import Subscription

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
