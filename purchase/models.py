"""The purchase wizard's draft: what the reseller entered for one cart until the order is placed."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from storefront.scoping import scoped_queryset_class
from tenants.models import Customer


class PurchaseDraft(models.Model):
    """What the reseller entered in the purchase wizard for one cart, until the order is placed.

    Kept in the database rather than in the session so that it survives reloads, «<< Indietro»,
    errors and a second tab on the same cart. Each step has its own JSON payload, written only by
    purchase.services: ``company`` {"values": {...}, "is_complete": bool},
    ``tenant`` {"prefix", "checked_prefix", "is_taken", "relationship_accepted", ...} and
    ``partner`` {"mpn_id", "validated_mpn_id", "reseller_tenant_id", ...}.
    """

    class CustomerChoice(models.TextChoices):
        NEW = "new", _("per un nuovo cliente")
        EXISTING = "existing", _("per un cliente esistente")

    cart = models.OneToOneField(
        "checkout.Cart", on_delete=models.CASCADE, related_name="purchase_draft"
    )
    customer_choice = models.CharField(
        _("cliente"), max_length=16, choices=CustomerChoice.choices, blank=True
    )
    existing_customer = models.ForeignKey(
        Customer, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    company = models.JSONField(default=dict, blank=True)
    tenant = models.JSONField(default=dict, blank=True)
    partner = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = scoped_queryset_class("cart__reseller").as_manager()

    class Meta:
        verbose_name = _("acquisto in corso")
        verbose_name_plural = _("acquisti in corso")

    def __str__(self) -> str:
        return f"{self.cart} · {self.get_customer_choice_display() or '-'}"
