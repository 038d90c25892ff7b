from collections import Counter

from django.core.management.base import BaseCommand, CommandError

from resellers.services import resellers_revalidate_mpn
from storefront.models import Reseller

OUTCOME_WORDS = {
    "valid": "valid",
    "invalid": "not valid",
    "unavailable": "not checked,",
    "no_mpn": "no MPN ID on the profile",
}


class Command(BaseCommand):
    help = (
        "Verifica di nuovo in Partner Center, senza cache, l'MPN ID di ogni rivenditore attivo "
        "(o di uno) e registra l'esito sul rivenditore."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--reseller", type=int, metavar="ID", help="solo il rivenditore attivo con questo id"
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="verifica e riporta, senza registrare nulla"
        )

    def handle(self, *args, reseller: int | None, dry_run: bool, **options):
        resellers = Reseller.objects.filter(is_active=True).order_by("pk")
        if reseller is not None:
            resellers = resellers.filter(pk=reseller)
            if not resellers.exists():
                raise CommandError(f"No active reseller with id {reseller}.")
        results = resellers_revalidate_mpn(resellers=resellers.iterator(), record=not dry_run)
        for result in results:
            label = f"#{result.reseller.pk} {result.reseller.company_name}"
            mpn = f" MPN ID {result.reseller.mpn_id}" if result.reseller.mpn_id else ""
            line = f"{label}{mpn}: {OUTCOME_WORDS[result.outcome]} {result.detail}".rstrip()
            (self.stderr if result.outcome == "unavailable" else self.stdout).write(line)
        counts = Counter(result.outcome for result in results)
        summary = (
            f"{len(results)} resellers checked: {counts['valid']} valid, "
            f"{counts['invalid']} not valid, {counts['unavailable']} not checked "
            f"(Partner Center unavailable), {counts['no_mpn']} without MPN ID."
        )
        if dry_run:
            summary += " Dry run: nothing stored."
        style = self.style.WARNING if counts["unavailable"] else self.style.SUCCESS
        self.stdout.write(style(summary))
