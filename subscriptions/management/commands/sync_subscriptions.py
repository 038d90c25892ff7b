"""Compare the mirror with Partner Center and bring it up to date (also nightly from beat)."""

from django.core.management.base import BaseCommand, CommandError

from partnercenter.errors import PartnerCenterError
from subscriptions.services.mirror import subscriptions_sync
from tenants.models import Customer


class Command(BaseCommand):
    help = (
        "Legge da Partner Center le sottoscrizioni di ogni cliente per il suo rivenditore "
        "(?mpn_id=) e riporta le trovate, le cambiate, le sparite e quelle mai vendute qui "
        "(elencate allo staff nell'admin, mai adottate)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--customer", type=int, help="solo questo cliente (id dello storefront)"
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="riporta cosa cambierebbe, senza cambiare nulla"
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
