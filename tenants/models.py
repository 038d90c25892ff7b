"""End customers of a reseller and their Microsoft tenant.

A customer belongs to exactly one reseller. Its tenant is either *new* (created by us with the
chosen domain prefix) or *existing* (found in Partner Center; it needs an accepted reseller
relationship with the distributor before anything can be bought for it).
"""

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from storefront.choices import ChoiceLabelsMixin
from storefront.scoping import ResellerScopedQuerySet
from storefront.validators import (
    validate_codice_fiscale,
    validate_partita_iva,
    validate_postal_code,
)

validate_province = RegexValidator(
    r"^[A-Z]{2}$", _("La provincia è la sigla di 2 lettere, per esempio MI.")
)
validate_domain_prefix = RegexValidator(
    r"^[a-z0-9]{1,27}$",
    _("Il Domain Prefix ha da 1 a 27 caratteri, solo lettere e cifre."),
)


# The colour of the relationship badge on the reseller's pages; "not needed" is light.
RELATIONSHIP_BADGE_CLASSES = {
    "accepted": "text-bg-success",
    "pending": "text-bg-warning",
    "unknown": "text-bg-secondary",
}


class Customer(ChoiceLabelsMixin, models.Model):
    class TenantKind(models.TextChoices):
        NEW = "new", _("Nuovo tenant")
        EXISTING = "existing", _("Tenant esistente")

    class RelationshipState(models.TextChoices):
        NOT_NEEDED = "not_needed", _("Non necessaria (nuovo tenant)")
        UNKNOWN = "unknown", _("Da verificare")
        PENDING = "pending", _("In attesa di accettazione")
        ACCEPTED = "accepted", _("Accettata")

    reseller = models.ForeignKey(
        "storefront.Reseller", on_delete=models.PROTECT, related_name="customers"
    )
    company_name = models.CharField(_("Nome azienda"), max_length=200)
    vat_number = models.CharField(
        _("Partita IVA"), max_length=11, validators=[validate_partita_iva]
    )
    fiscal_code = models.CharField(
        _("codice fiscale"), max_length=16, blank=True, validators=[validate_codice_fiscale]
    )
    address_line = models.CharField(_("indirizzo"), max_length=200)
    postal_code = models.CharField(_("CAP"), max_length=5, validators=[validate_postal_code])
    city = models.CharField(_("città"), max_length=100)
    province = models.CharField(_("provincia"), max_length=2, validators=[validate_province])
    country = models.CharField(_("paese"), max_length=2, default="IT")
    contact_first_name = models.CharField(_("nome del referente"), max_length=100)
    contact_last_name = models.CharField(_("cognome del referente"), max_length=100)
    contact_email = models.EmailField(_("e-mail del referente"))
    contact_phone = models.CharField(_("telefono"), max_length=32)
    pec_email = models.EmailField(_("PEC"), blank=True)
    sdi_code = models.CharField(_("codice SDI"), max_length=7, blank=True)

    tenant_domain_prefix = models.CharField(
        _("Domain Prefix"), max_length=27, validators=[validate_domain_prefix]
    )
    tenant_kind = models.CharField(
        _("tenant"), max_length=16, choices=TenantKind.choices, default=TenantKind.NEW
    )
    partner_center_customer_id = models.UUIDField(
        _("id cliente Partner Center"), null=True, blank=True
    )
    relationship_state = models.CharField(
        _("relazione di rivenditore"),
        max_length=16,
        choices=RelationshipState.choices,
        default=RelationshipState.NOT_NEEDED,
    )
    relationship_checked_at = models.DateTimeField(
        _("relazione verificata il"), null=True, blank=True
    )
    # The legal name Partner Center shows for an existing tenant, to compare with «Nome azienda».
    partner_center_company_name = models.CharField(
        _("ragione sociale in Partner Center"), max_length=200, blank=True
    )
    created_at = models.DateTimeField(_("creato il"), auto_now_add=True)
    updated_at = models.DateTimeField(_("aggiornato il"), auto_now=True)

    objects = ResellerScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("cliente")
        verbose_name_plural = _("clienti")
        ordering = ["company_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["reseller", "tenant_domain_prefix"], name="tenants_customer_unique_tenant"
            )
        ]

    def __str__(self) -> str:
        return self.company_name

    @property
    def tenant_domain(self) -> str:
        return f"{self.tenant_domain_prefix}.onmicrosoft.com"

    @property
    def relationship_badge_class(self) -> str:
        return RELATIONSHIP_BADGE_CLASSES.get(self.relationship_state, "text-bg-light")
