import getpass
import sys

from django.core.management.base import BaseCommand, CommandError

from partnercenter.services import partner_center_credential_set_refresh_token


class Command(BaseCommand):
    help = (
        "Registra, cifrato, il refresh token dell'utente di servizio Partner Center del "
        "distributore (chiamate app+user). Lo legge dallo standard input, mai dalla riga di "
        "comando: `manage.py partnercenter_set_refresh_token < token.txt`, o digitalo quando "
        "richiesto."
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
