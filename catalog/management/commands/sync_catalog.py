from django.core.management.base import BaseCommand, CommandError

from catalog.services import SyncReport, catalog_sync
from partnercenter.errors import PartnerCenterError
from storefront.command_arguments import country_code


class Command(BaseCommand):
    help = (
        "Completa gli SKU del listino con i dati di Partner Center: licenze minime e massime, "
        "add-on e prerequisiti, provisioning id."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--country",
            type=country_code,
            default="IT",
            help="paese del catalogo, codice ISO 3166 di due lettere (IT)",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="mostra cosa cambierebbe senza salvare nulla"
        )

    def handle(self, *args, country: str, dry_run: bool, **options):
        from partnercenter.services import partner_center_client

        try:
            with partner_center_client() as client:
                report = catalog_sync(client=client, country=country, dry_run=dry_run)
        except PartnerCenterError as error:
            raise CommandError(
                f"Partner Center non ha risposto come previsto, nessuna modifica salvata: {error}"
            ) from error
        self._print_report(report)

    def _print_report(self, report: SyncReport) -> None:
        write = self.stdout.write
        write(f"SKU aggiornati: {len(report.skus_updated)}, invariati: {report.skus_unchanged}.")
        for catalog_id in report.skus_updated:
            write(f"  aggiornato {catalog_id}")
        warnings = (
            ("SKU del listino sconosciuti a Partner Center", report.skus_missing),
            ("prerequisiti non presenti nel listino", report.unknown_prerequisites),
            ("piani senza disponibilità in Partner Center", report.plans_unavailable),
            ("quantità non valide, ignorate", report.invalid_quantities),
        )
        for label, items in warnings:
            if items:
                write(self.style.WARNING(f"{label}: {len(items)}"))
                for item in items:
                    write(f"  {item}")
        if report.dry_run:
            write(self.style.WARNING("Prova (--dry-run): nessuna modifica salvata."))
        else:
            write(self.style.SUCCESS("Catalogo sincronizzato."))
