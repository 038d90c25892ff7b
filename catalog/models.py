"""The distributor's Microsoft 365 catalog: products, SKUs, plans, prices and the price rule.

Prices are Microsoft's, in EUR for the Italian market, for the whole term of a plan; what a
reseller pays comes from the price rule (catalog/selectors.py). Titles and prices arrive with the
price list (catalog/pricelist/), SKU details (quantities, add-ons, prerequisites) from Partner
Center (catalog/services.py, ``sync_catalog``).
"""

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

# Partner Center allows these many licences on a SKU when it says nothing else (NCE default).
DEFAULT_MIN_QUANTITY = 1
DEFAULT_MAX_QUANTITY = 300


class Product(models.Model):
    """A Partner Center product (``productId``): a grouping of SKUs, not purchasable itself."""

    product_id = models.CharField(_("ID prodotto"), max_length=32, unique=True)
    title = models.CharField(_("nome"), max_length=255)
    description = models.TextField(_("descrizione"), blank=True)
    description_en = models.TextField(
        _("descrizione in inglese"),
        blank=True,
        db_default="",  # the price-list importer inserts rows with raw SQL
        help_text=_("Mostrata ai rivenditori che usano lo storefront in inglese."),
    )
    family = models.CharField(
        _("famiglia"),
        max_length=120,
        blank=True,
        help_text=_("Raggruppa i prodotti nel catalogo, per esempio «Microsoft 365 Business»."),
    )
    created_at = models.DateTimeField(_("creato il"), auto_now_add=True)
    updated_at = models.DateTimeField(_("aggiornato il"), auto_now=True)

    class Meta:
        verbose_name = _("prodotto")
        verbose_name_plural = _("prodotti")
        ordering = ["family", "title"]

    def __str__(self) -> str:
        return self.title

    @property
    def localized_description(self) -> str:
        """The description in the page's language: Italian, or the English one on English pages
        (none rather than Italian when staff have not written it)."""
        return self.description_en if get_language() == "en" else self.description


class Sku(models.Model):
    """A purchasable shape of a product (``skuId``), with the limits Partner Center sets on it."""

    # No index of its own: the unique (product, sku_id) constraint's index starts with it.
    product = models.ForeignKey(
        Product,
        verbose_name=_("prodotto"),
        on_delete=models.CASCADE,
        related_name="skus",
        db_index=False,
    )
    sku_id = models.CharField(_("ID SKU"), max_length=16)
    title = models.CharField(_("nome"), max_length=255)
    description = models.TextField(_("descrizione"), blank=True)
    min_quantity = models.PositiveIntegerField(
        _("licenze minime"), default=DEFAULT_MIN_QUANTITY, validators=[MinValueValidator(1)]
    )
    max_quantity = models.PositiveIntegerField(
        _("licenze massime"), default=DEFAULT_MAX_QUANTITY, validators=[MinValueValidator(1)]
    )
    is_addon = models.BooleanField(_("è un add-on"), default=False)
    allows_quantity_above_base = models.BooleanField(
        _("quantità oltre il prodotto base"),
        default=False,
        help_text=_("Un add-on può avere più licenze del prodotto a cui si aggiunge."),
    )
    prerequisites = models.ManyToManyField(
        "self",
        verbose_name=_("prerequisiti"),
        symmetrical=False,
        blank=True,
        related_name="addons",
        help_text=_("Per un add-on: gli SKU base a cui può essere aggiunto."),
    )
    provisioning_id = models.CharField(
        _("provisioning id Partner Center"), max_length=64, blank=True
    )
    synced_at = models.DateTimeField(
        _("sincronizzato con Partner Center il"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("SKU")
        verbose_name_plural = _("SKU")
        ordering = ["product__title", "sku_id"]
        constraints = [
            models.UniqueConstraint(fields=["product", "sku_id"], name="catalog_sku_unique_id"),
            models.CheckConstraint(
                condition=models.Q(max_quantity__gte=models.F("min_quantity")),
                name="catalog_sku_max_not_below_min",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def catalog_id(self) -> str:
        """``productId:skuId``, the way Partner Center and the price list name a SKU."""
        return f"{self.product.product_id}:{self.sku_id}"


class Plan(models.Model):
    """What a reseller buys: a SKU for a term, billed monthly or annually."""

    class Term(models.TextChoices):
        P1M = "P1M", _("1 mese")
        P1Y = "P1Y", _("1 anno")
        P3Y = "P3Y", _("3 anni")

    class Billing(models.TextChoices):
        MONTHLY = "monthly", _("mensile")
        ANNUAL = "annual", _("annuale")

    # No index of its own: the unique (sku, term, billing) constraint's index starts with it.
    sku = models.ForeignKey(
        Sku, verbose_name=_("SKU"), on_delete=models.CASCADE, related_name="plans", db_index=False
    )
    term = models.CharField(_("durata"), max_length=3, choices=Term.choices)
    billing = models.CharField(_("fatturazione"), max_length=8, choices=Billing.choices)
    is_active = models.BooleanField(
        _("in vendita"),
        default=True,
        help_text=_("Disattivato quando il listino Microsoft non lo contiene più."),
    )

    class Meta:
        verbose_name = _("piano")
        verbose_name_plural = _("piani")
        constraints = [
            models.UniqueConstraint(fields=["sku", "term", "billing"], name="catalog_plan_unique")
        ]

    def __str__(self) -> str:
        return f"{self.sku} · {self.get_term_display()} · {self.get_billing_display()}"


class Price(models.Model):
    """Microsoft's prices for a plan over a period, in EUR, for the whole term of the plan."""

    # No index of its own: the unique (plan, effective_start) constraint's index starts with it.
    plan = models.ForeignKey(
        Plan,
        verbose_name=_("piano"),
        on_delete=models.CASCADE,
        related_name="prices",
        db_index=False,
    )
    cost_price = models.DecimalField(
        _("prezzo di costo"),
        max_digits=14,
        decimal_places=4,
        help_text=_("UnitPrice del listino Microsoft per l'intera durata, IVA esclusa."),
    )
    erp_price = models.DecimalField(_("prezzo al pubblico (ERP)"), max_digits=14, decimal_places=4)
    effective_start = models.DateField(_("in vigore dal"))
    effective_end = models.DateField(
        _("in vigore fino al"),
        null=True,
        blank=True,
        help_text=_("Ultimo giorno incluso; vuoto: senza scadenza."),
    )

    class Meta:
        verbose_name = _("prezzo")
        verbose_name_plural = _("prezzi")
        ordering = ["plan", "-effective_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "effective_start"], name="catalog_price_unique_start"
            )
        ]
        indexes = [
            models.Index(fields=["effective_start", "effective_end"], name="catalog_price_period")
        ]

    def __str__(self) -> str:
        return f"{self.plan} dal {self.effective_start:%d/%m/%Y}"


class PriceRule(models.Model):
    """The distributor's price rule: one row, the markup on cost for resellers without their own.

    A reseller's ``markup_percent_override`` wins over it (storefront.models.Reseller).
    """

    SINGLETON_ID = 1

    default_markup_percent = models.DecimalField(
        _("ricarico % predefinito"),
        max_digits=6,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("Ricarico sul prezzo di costo Microsoft applicato a tutti i rivenditori."),
    )
    updated_at = models.DateTimeField(_("aggiornato il"), auto_now=True)

    class Meta:
        verbose_name = _("regola di prezzo")
        verbose_name_plural = _("regola di prezzo")
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="catalog_price_rule_singleton")
        ]

    def __str__(self) -> str:
        return f"+{self.default_markup_percent} %"

    def save(self, *args, **kwargs):
        self.pk = self.SINGLETON_ID
        super().save(*args, **kwargs)
