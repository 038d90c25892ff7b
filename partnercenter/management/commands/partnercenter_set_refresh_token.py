import getpass
import sys

from django.core.management.base import BaseCommand, CommandError

from partnercenter.services import partner_center_credential_set_refresh_token


class Command(BaseCommand):
    help = (
        "Store the refresh token of the distributor's Partner Center service user (app+user "
        "calls), encrypted. Reads it from standard input, never from the command line: "
        "`manage.py partnercenter_set_refresh_token < token.txt`, or type it when asked."
    )

    def handle(self, *args, **options):
        if sys.stdin.isatty():
            refresh_token = getpass.getpass("Refresh token (not shown): ")
        else:
            refresh_token = sys.stdin.read()
        try:
            partner_center_credential_set_refresh_token(refresh_token=refresh_token)
        except ValueError as exc:
            raise CommandError(f"Not stored: {exc}") from exc
        self.stdout.write(
            self.style.SUCCESS(
                "Refresh token stored (encrypted); cached tokens cleared. Restart running "
                "workers so they use it."
            )
        )
