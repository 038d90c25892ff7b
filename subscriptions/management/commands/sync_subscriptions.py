"""Compare the mirror with Partner Center and bring it up to date (also nightly from beat)."""

from django.core.management.base import BaseCommand, CommandError

from partnercenter.errors import PartnerCenterError
from subscriptions.services.mirror import subscriptions_sync
from tenants.models import Customer


class Command(BaseCommand):
    help = (
        "Read every customer's subscriptions of its reseller from Partner Center (?mpn_id=) and "
        "report found, changed, vanished and those never sold here (listed for staff in the "
        "admin, never adopted)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--customer", type=int, help="only this customer (storefront id)")
        parser.add_argument(
            "--dry-run", action="store_true", help="report what would change, change nothing"
        )

    def handle(self, *args, customer=None, dry_run=False, **options) -> None:
        if customer is not None and not Customer.objects.filter(pk=customer).exists():
            raise CommandError(f"cliente {customer} non trovato")
        try:
            report = subscriptions_sync(customer_id=customer, dry_run=dry_run)
        except PartnerCenterError as exc:
            raise CommandError(f"Partner Center non raggiungibile: {exc}") from exc
        prefix = "[prova, nulla è stato modificato] " if dry_run else ""
        for line in report.lines():
            self.stdout.write(prefix + line)
