"""The reseller's cart, the terms of sale and their acceptance.

A cart belongs to one reseller user and survives sign-out; each user has at most one open cart.
Its ``checkout_token`` is the idempotency key of the order placed from it: a double click, a
reload or a second tab placing "the same" checkout all carry it, and the order table holds it
unique (orders/).
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from storefront.scoping import ResellerScopedQuerySet, scoped_queryset_class


class TermsVersion(models.Model):
    """A version of the terms of sale: staff publish a new one, never edit one already accepted."""

    version = models.CharField(_("versione"), max_length=32, unique=True)
    title = models.CharField(_("titolo"), max_length=200, default=_("Termini di vendita"))
    body = models.TextField(_("testo"))
    published_at = models.DateTimeField(_("pubblicata il"))

    class Meta:
        verbose_name = _("versione dei termini di vendita")
        verbose_name_plural = _("versioni dei termini di vendita")
        ordering = ["-published_at"]
        get_latest_by = "published_at"

    def __str__(self) -> str:
        return self.version


class TermsAcceptance(models.Model):
    """Who accepted which terms, when and from where: the proof behind every order."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    reseller = models.ForeignKey("storefront.Reseller", on_delete=models.PROTECT)
    terms_version = models.ForeignKey(TermsVersion, on_delete=models.PROTECT)
    accepted_at = models.DateTimeField(_("accettati il"), auto_now_add=True)
    ip_address = models.GenericIPAddressField(_("indirizzo IP"), null=True, blank=True)

    objects = ResellerScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("accettazione dei termini")
        verbose_name_plural = _("accettazioni dei termini")

    def __str__(self) -> str:
        return f"{self.user} · {self.terms_version} · {self.accepted_at:%Y-%m-%d %H:%M}"


class Cart(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("aperto")
        ORDERED = "ordered", _("ordinato")

    class PurchaseType(models.TextChoices):
        RESALE = "resale", _("Per rivendita")
        INTERNAL = "internal", _("Per uso interno")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="carts"
    )
    reseller = models.ForeignKey("storefront.Reseller", on_delete=models.PROTECT)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    checkout_token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    purchase_type = models.CharField(
        _("tipo di acquisto"), max_length=16, choices=PurchaseType.choices, blank=True
    )
    terms_acceptance = models.ForeignKey(
        TermsAcceptance, null=True, blank=True, on_delete=models.PROTECT
    )
    checkout_started_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ResellerScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("carrello")
        verbose_name_plural = _("carrelli")
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=models.Q(status="open"), name="checkout_one_open_cart"
            ),
            # «Checkout >>» is only ever recorded together with the terms it accepted.
            models.CheckConstraint(
                condition=models.Q(checkout_started_at__isnull=True)
                | models.Q(terms_acceptance__isnull=False),
                name="checkout_started_with_terms",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_status_display()}"

    @property
    def is_checkout_started(self) -> bool:
        """«Checkout >>» done with the terms accepted, and nothing changed since."""
        return (
            self.status == self.Status.OPEN
            and self.checkout_started_at is not None
            and self.terms_acceptance_id is not None
        )


class CartLine(models.Model):
    """A plan and its licence count; an add-on is a line of its own pointing at its base line."""

    cart = models.ForeignKey(Cart, on_delete=models.CASCADE, related_name="lines")
    plan = models.ForeignKey("catalog.Plan", on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(_("licenze"))
    base_line = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="addon_lines"
    )
    # The reseller price seen when the line was added: the cart says so when it has changed.
    unit_price_seen = models.DecimalField(max_digits=14, decimal_places=2)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = scoped_queryset_class("cart__reseller").as_manager()

    class Meta:
        verbose_name = _("riga del carrello")
        verbose_name_plural = _("righe del carrello")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["cart", "plan", "base_line"],
                name="checkout_cart_line_unique_plan",
                nulls_distinct=False,
            ),
            models.CheckConstraint(
                condition=models.Q(quantity__gte=1), name="checkout_cart_line_quantity_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.plan}"
