from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from catalog.pricelist.importer import ImportReport, pricelist_import
from catalog.pricelist.parsing import PricelistError, SkipReason
from storefront.command_arguments import country_code, currency_code


class Command(BaseCommand):
    help = (
        "Importa il listino Microsoft NCE a licenza (CSV): tiene mercato e valuta scelti, "
        "aggiunge, aggiorna e ritira prodotti, SKU, piani e prezzi in un'unica transazione."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="il CSV scaricato da Partner Center")
        parser.add_argument(
            "--market",
            type=country_code,
            default="IT",
            help="mercato da importare, codice ISO 3166 (IT)",
        )
        parser.add_argument(
            "--currency",
            type=currency_code,
            default="EUR",
            help="valuta da importare, codice ISO 4217 (EUR)",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="mostra cosa cambierebbe senza salvare nulla"
        )

    def handle(self, *args, file: Path, market: str, currency: str, dry_run: bool, **options):
        try:
            report = pricelist_import(path=file, market=market, currency=currency, dry_run=dry_run)
        except FileNotFoundError as error:
            raise CommandError(f"File non trovato: {file}") from error
        except OSError as error:  # a folder, no permission: anything but a readable file
            raise CommandError(
                _("File non leggibile: %(file)s (%(reason)s)")
                % {"file": file, "reason": error.strerror or type(error).__name__}
            ) from error
        except PricelistError as error:
            raise CommandError(
                f"Listino non importato, nessuna modifica salvata. {error}"
            ) from error
        self._print_report(report, market=market.upper(), currency=currency.upper())

    def _print_report(self, report: ImportReport, *, market: str, currency: str) -> None:
        write = self.stdout.write
        write(
            f"Listino {market}/{currency}: {report.rows_read} righe lette, "
            f"{report.rows_kept} importate."
        )
        for label, counts in (
            ("prodotti", report.products),
            ("SKU", report.skus),
            ("piani", report.plans),
            ("prezzi", report.prices),
        ):
            write(
                f"  {label}: {counts.added} aggiunti, {counts.changed} modificati, "
                f"{counts.retired} ritirati"
            )
        labels = SkipReason.labels()
        reasons = ", ".join(
            f"{labels[reason]} {count}" for reason, count in sorted(report.skipped.items())
        )
        write(f"  righe saltate: {report.skipped_total}" + (f" ({reasons})" if reasons else ""))
        summary = (
            f"Totale: {report.added} aggiunti, {report.changed} modificati, "
            f"{report.retired} ritirati, {report.skipped_total} saltati."
        )
        if report.dry_run:
            write(self.style.WARNING(f"{summary} Prova (--dry-run): nessuna modifica salvata."))
        else:
            write(self.style.SUCCESS(summary))
