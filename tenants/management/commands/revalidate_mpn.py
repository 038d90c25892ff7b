from collections import Counter

from django.core.management.base import BaseCommand, CommandError

from storefront.models import Reseller
from tenants.errors import PartnerCenterUnavailableError
from tenants.services import reseller_validate_mpn


class Command(BaseCommand):
    help = (
        "Validate again, against Partner Center and bypassing the cache, the MPN ID of every "
        "active reseller (or of one), and store the outcome on the reseller (SPEC §5.3)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--reseller", type=int, metavar="ID", help="only the active reseller with this id"
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="check and report, store nothing"
        )

    def handle(self, *args, reseller: int | None, dry_run: bool, **options):
        resellers = Reseller.objects.filter(is_active=True).order_by("pk")
        if reseller is not None:
            resellers = resellers.filter(pk=reseller)
            if not resellers.exists():
                raise CommandError(f"No active reseller with id {reseller}.")
        counts = Counter()
        for each in resellers.iterator():
            counts[self._revalidate(each, record=not dry_run)] += 1
        summary = (
            f"{sum(counts.values())} resellers checked: {counts['valid']} valid, "
            f"{counts['invalid']} not valid, {counts['unavailable']} not checked "
            f"(Partner Center unavailable), {counts['no_mpn']} without MPN ID."
        )
        if dry_run:
            summary += " Dry run: nothing stored."
        style = self.style.WARNING if counts["unavailable"] else self.style.SUCCESS
        self.stdout.write(style(summary))

    def _revalidate(self, reseller: Reseller, *, record: bool) -> str:
        label = f"#{reseller.pk} {reseller.company_name}"
        if not reseller.mpn_id:
            self.stdout.write(f"{label}: no MPN ID on the profile")
            return "no_mpn"
        try:
            validation = reseller_validate_mpn(
                reseller=reseller, mpn_id=reseller.mpn_id, use_cache=False, record=record
            )
        except PartnerCenterUnavailableError as error:
            self.stderr.write(f"{label} MPN ID {reseller.mpn_id}: not checked, {error.message}")
            return "unavailable"
        if validation.is_valid:
            self.stdout.write(f"{label} MPN ID {validation.mpn_id}: valid")
            return "valid"
        self.stdout.write(
            f"{label} MPN ID {validation.mpn_id}: not valid ({validation.code}) "
            f"{validation.message}"
        )
        return "invalid"
