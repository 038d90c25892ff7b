"""Every reseller sees only its own rows: the one place where that rule is applied to querysets.

Models owned by a reseller use ``ResellerScopedQuerySet`` (directly, or through a lookup such as
``cart__user__reseller`` set in ``reseller_lookup``). Views never filter by reseller by hand: they
call ``reseller_scoped`` or ``get_scoped_or_404``, which answer 404 for another reseller's object
so that its existence is not revealed.
"""

from django.db import models
from django.http import HttpRequest
from django.shortcuts import get_object_or_404


class ResellerScopedQuerySet(models.QuerySet):
    reseller_lookup = "reseller"

    def for_reseller(self, reseller) -> "ResellerScopedQuerySet":
        if reseller is None:
            return self.none()
        return self.filter(**{self.reseller_lookup: reseller})


def scoped_queryset_class(lookup: str) -> type[ResellerScopedQuerySet]:
    """A ResellerScopedQuerySet subclass that reaches the reseller through ``lookup``."""
    return type(
        f"ResellerScopedQuerySet_{lookup}",
        (ResellerScopedQuerySet,),
        {"reseller_lookup": lookup, "__module__": __name__},
    )


def reseller_scoped(model_or_queryset, request: HttpRequest) -> ResellerScopedQuerySet:
    queryset = (
        model_or_queryset._default_manager.all()
        if isinstance(model_or_queryset, type)
        else model_or_queryset
    )
    if not isinstance(queryset, ResellerScopedQuerySet):
        raise TypeError(f"{queryset.model.__name__} is not scoped to a reseller")
    return queryset.for_reseller(getattr(request.user, "reseller", None))


def get_scoped_or_404(model_or_queryset, request: HttpRequest, **lookup):
    return get_object_or_404(reseller_scoped(model_or_queryset, request), **lookup)
