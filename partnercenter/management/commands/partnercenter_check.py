from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from partnercenter.services import partner_center_check, partner_center_is_sandbox


class Command(BaseCommand):
    help = (
        "Verifica che il Partner Center configurato (o la sandbox) risponda e che i token "
        "app-only e app+user funzionino."
    )

    def handle(self, *args, **options):
        kind = "sandbox" if partner_center_is_sandbox() else "Partner Center"
        self.stdout.write(f"{kind}: {settings.PARTNER_CENTER_BASE_URL}")
        authority = f"{settings.PARTNER_CENTER_AUTHORITY_HOST}/{settings.PARTNER_CENTER_TENANT_ID}"
        self.stdout.write(f"Authority: {authority}  client id: {settings.PARTNER_CENTER_CLIENT_ID}")
        self.stdout.write(f"CA bundle: {settings.PARTNER_CENTER_CA_BUNDLE or '(system default)'}")
        results = partner_center_check()
        for result in results:
            mark = self.style.SUCCESS("OK  ") if result.is_ok else self.style.ERROR("FAIL")
            self.stdout.write(f"{mark} {result.name}: {result.detail}")
        failed = [result.name for result in results if not result.is_ok]
        if failed:
            raise CommandError(f"Partner Center check failed: {', '.join(failed)}")
