"""What the storefront keeps of Partner Center: the call log and the encrypted credentials."""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PartnerCenterCall(models.Model):
    """One call to Partner Center, for staff: no token, no body, no customer data."""

    created_at = models.DateTimeField(_("eseguita il"), default=timezone.now, db_index=True)
    operation = models.CharField(_("operazione"), max_length=64)
    method = models.CharField(_("metodo"), max_length=8)
    path = models.CharField(_("percorso"), max_length=500)
    status = models.PositiveSmallIntegerField(_("stato HTTP"), null=True, blank=True)
    ms_request_id = models.CharField("MS-RequestId", max_length=64, db_index=True)
    ms_correlation_id = models.CharField("MS-CorrelationId", max_length=64)
    duration_ms = models.PositiveIntegerField(_("durata (ms)"))
    error_code = models.CharField(_("codice di errore"), max_length=32, blank=True)
    error_class = models.CharField(_("tipo di errore"), max_length=64, blank=True)
    # The order the call was made for (partner_center_call_context); a later issue makes it an FK.
    order_id = models.BigIntegerField(_("ordine"), null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("chiamata a Partner Center")
        verbose_name_plural = _("chiamate a Partner Center")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.method} {self.path} → {self.status or self.error_class}"


class PartnerCenterCredential(models.Model):
    """The single row holding the app+user refresh token and msal's token cache, encrypted."""

    SINGLETON_ID = 1

    id = models.PositiveSmallIntegerField(primary_key=True, default=SINGLETON_ID)
    encrypted_refresh_token = models.TextField(blank=True)
    encrypted_token_cache = models.TextField(blank=True)
    updated_at = models.DateTimeField(_("aggiornato il"), auto_now=True)

    class Meta:
        verbose_name = _("credenziale Partner Center")
        verbose_name_plural = _("credenziali Partner Center")
        constraints = [
            models.CheckConstraint(condition=Q(id=1), name="partnercenter_credential_singleton")
        ]

    def __str__(self) -> str:
        return str(_("credenziale Partner Center"))
