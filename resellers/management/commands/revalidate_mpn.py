from collections import Counter

from django.core.management.base import BaseCommand, CommandError

from resellers.choices import MpnRecheckOutcome
from resellers.services import resellers_revalidate_mpn
from storefront.models import Reseller

OUTCOME_WORDS = {
    MpnRecheckOutcome.VALID: "valid",
    MpnRecheckOutcome.INVALID: "not valid",
    MpnRecheckOutcome.UNAVAILABLE: "not checked,",
    MpnRecheckOutcome.NO_MPN: "no MPN ID on the profile",
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
            (self.stderr if result.outcome == MpnRecheckOutcome.UNAVAILABLE else self.stdout).write(
                line
            )
        counts = Counter(result.outcome for result in results)
        summary = (
            f"{len(results)} resellers checked: {counts[MpnRecheckOutcome.VALID]} valid, "
            f"{counts[MpnRecheckOutcome.INVALID]} not valid, "
            f"{counts[MpnRecheckOutcome.UNAVAILABLE]} not checked (Partner Center unavailable), "
            f"{counts[MpnRecheckOutcome.NO_MPN]} without MPN ID."
        )
        if dry_run:
            summary += " Dry run: nothing stored."
        style = self.style.WARNING if counts[MpnRecheckOutcome.UNAVAILABLE] else self.style.SUCCESS
        self.stdout.write(style(summary))
