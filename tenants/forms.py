"""Forms of the customers area: they parse and normalise, nothing else."""

from django import forms
from django.utils.translation import gettext_lazy as _


def _collapse_spaces(value: str) -> str:
    return " ".join((value or "").split())


class CustomerSearchForm(forms.Form):
    q = forms.CharField(label=_("Cerca"), required=False, max_length=100)

    def search_text(self) -> str:
        return _collapse_spaces(self.cleaned_data.get("q", "")) if self.is_valid() else ""
