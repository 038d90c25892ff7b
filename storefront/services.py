from django.conf import settings
from django.db import transaction
from django.utils import timezone

from storefront.models import Reseller, User, WorkerHeartbeat


def user_set_language(*, user: User, language: str) -> None:
    if language not in dict(settings.LANGUAGES):
        raise ValueError(f"unsupported language {language!r}")
    user.language = language
    user.save(update_fields=["language"])


def worker_heartbeat_send() -> WorkerHeartbeat:
    """Record a heartbeat and have a worker mark it processed once this transaction commits."""
    from storefront.tasks import worker_heartbeat_task

    heartbeat = WorkerHeartbeat.objects.create()
    transaction.on_commit(lambda: worker_heartbeat_task.delay(heartbeat.pk))
    return heartbeat


def worker_heartbeat_mark_processed(*, heartbeat_id: int, worker_name: str) -> bool:
    """Mark the heartbeat processed; False when it does not exist (never committed, or deleted)."""
    updated = WorkerHeartbeat.objects.filter(pk=heartbeat_id, processed_at__isnull=True).update(
        processed_at=timezone.now(), processed_by=worker_name[:200]
    )
    return updated == 1


DEMO_RESELLER_VAT_NUMBER = "01234560157"
# Before python-stdnum checked the provincial office (digits 8–10), the demo had this one.
FORMER_DEMO_RESELLER_VAT_NUMBER = "01234567897"
DEMO_RESELLER_MPN_ID = "1234567"  # the sandbox's active, signed indirect reseller
DEMO_RESELLER_TENANT_ID = "3f2a6c1e-5b7d-4e8f-9a0b-1c2d3e4f5a6b"  # its tenant in the sandbox
DEMO_USER_EMAIL = "demo@rivenditore-demo.it"
DEMO_USER_PASSWORD = "Demo-Storefront-2026"  # noqa: S105 - printed by `make run`, development only
DEMO_STAFF_EMAIL = "staff@distributore-demo.it"
DEMO_STAFF_PASSWORD = "Staff-Storefront-2026"  # noqa: S105


@transaction.atomic
def demo_accounts_seed() -> tuple[User, User]:
    """The demo reseller with its user, and a staff user; re-running resets their passwords."""
    # A database seeded earlier keeps its demo reseller: a second one could not take the same
    # Partner Center tenant id.
    Reseller.objects.filter(vat_number=FORMER_DEMO_RESELLER_VAT_NUMBER).update(
        vat_number=DEMO_RESELLER_VAT_NUMBER
    )
    reseller, _ = Reseller.objects.update_or_create(
        vat_number=DEMO_RESELLER_VAT_NUMBER,
        defaults={
            "company_name": "Rivenditore Demo S.r.l.",
            "mpn_id": DEMO_RESELLER_MPN_ID,
            "partner_center_tenant_id": DEMO_RESELLER_TENANT_ID,
            "notification_email": "ordini@rivenditore-demo.it",
        },
    )
    reseller_user = _demo_user(
        DEMO_USER_EMAIL,
        DEMO_USER_PASSWORD,
        reseller=reseller,
        first_name="Giulia",
        last_name="Bianchi",
    )
    staff_user = _demo_user(
        DEMO_STAFF_EMAIL,
        DEMO_STAFF_PASSWORD,
        reseller=None,
        first_name="Luca",
        last_name="Verdi",
        is_staff=True,
        is_superuser=True,
    )
    return reseller_user, staff_user


def _demo_user(email: str, password: str, **fields) -> User:
    user, _ = User.objects.update_or_create(email=email, defaults=fields)
    user.set_password(password)
    user.save(update_fields=["password"])
    return user
