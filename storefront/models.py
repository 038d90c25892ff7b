"""Resellers (the distributor's customers) and their users; the shape every history shares."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _

from storefront.choices import ChoiceLabelsMixin
from storefront.scoping import ResellerScopedQuerySet
from storefront.validators import validate_mpn_id, validate_partita_iva


class Reseller(ChoiceLabelsMixin, models.Model):
    """An Italian IT company buying Microsoft 365 subscriptions from the distributor for resale."""

    class MpnStatus(models.TextChoices):
        UNCHECKED = "unchecked", _("Non verificato")
        VALID = "valid", _("Valido")
        INVALID = "invalid", _("Non valido")

    company_name = models.CharField(_("ragione sociale"), max_length=200)
    vat_number = models.CharField(
        _("Partita IVA"), max_length=11, unique=True, validators=[validate_partita_iva]
    )
    mpn_id = models.CharField(
        _("MPN ID"),
        max_length=10,
        blank=True,
        validators=[validate_mpn_id],
        help_text=_("Microsoft Partner ID (PartnerOne ID) del rivenditore."),
    )
    partner_center_tenant_id = models.UUIDField(
        _("tenant id Partner Center"),
        null=True,
        blank=True,
        help_text=_("Noto dopo la prima verifica dell'MPN ID."),
    )
    mpn_status = models.CharField(
        _("stato MPN ID"), max_length=16, choices=MpnStatus.choices, default=MpnStatus.UNCHECKED
    )
    mpn_status_reason = models.CharField(_("motivo"), max_length=255, blank=True)
    mpn_checked_at = models.DateTimeField(_("MPN ID verificato il"), null=True, blank=True)
    notification_email = models.EmailField(
        _("e-mail per le notifiche"),
        blank=True,
        help_text=_("Riceve in copia le e-mail sugli ordini."),
    )
    markup_percent_override = models.DecimalField(
        _("ricarico % personalizzato"),
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Se vuoto si applica il ricarico predefinito del listino."),
    )
    is_active = models.BooleanField(_("attivo"), default=True)
    created_at = models.DateTimeField(_("creato il"), auto_now_add=True)

    class Meta:
        verbose_name = _("rivenditore")
        verbose_name_plural = _("rivenditori")
        ordering = ["company_name"]
        constraints = [
            # An MPN ID and its Partner Center tenant belong to one reseller: the invitation link
            # and the relationship checks name the reseller by them.
            models.UniqueConstraint(
                fields=["mpn_id"],
                condition=~models.Q(mpn_id=""),
                name="storefront_reseller_unique_mpn_id",
                violation_error_message=_("Un altro rivenditore ha già questo MPN ID."),
            ),
            models.UniqueConstraint(
                fields=["partner_center_tenant_id"],
                condition=models.Q(partner_center_tenant_id__isnull=False),
                name="storefront_reseller_unique_partner_center_tenant_id",
                violation_error_message=_(
                    "Un altro rivenditore ha già questo tenant id Partner Center."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.company_name


class UserManager(BaseUserManager.from_queryset(ResellerScopedQuerySet)):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required")
        user = self.model(email=self.normalize_email(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A person signing in: a reseller's user (``reseller`` set) or distributor staff."""

    username = None
    email = models.EmailField(_("e-mail"), unique=True)
    reseller = models.ForeignKey(
        Reseller,
        verbose_name=_("rivenditore"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    language = models.CharField(
        _("lingua"), max_length=8, choices=[("it", "Italiano"), ("en", "English")], default="it"
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        verbose_name = _("utente")
        verbose_name_plural = _("utenti")

    def __str__(self) -> str:
        return self.email


class WorkerHeartbeat(models.Model):
    """A round trip through the broker and a worker, so ops can tell the queue is consumed."""

    created_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    processed_by = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("battito del worker")
        verbose_name_plural = _("battiti del worker")

    def __str__(self) -> str:
        return f"heartbeat {self.pk} ({self.processed_by or 'pending'})"


class HistoryEvent(models.Model):
    """One append-only row of an aggregate's history (an order's, a change request's): its type,
    statuses and actor are the aggregate's own; who, when and the facts are shared here.

    ``parameters``: the facts of the event, by type (the app's events.py documents each),
    queryable (``parameters__status=429``) and worded in the reader's language by the app's
    event_messages.py; never a secret (storefront/events.py). Rows written before the events
    were typed keep their Italian text as ``legacy_message`` when it could not be parsed.
    """

    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    parameters = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["created_at", "pk"]
