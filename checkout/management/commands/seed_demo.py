from django.core.management.base import BaseCommand
from django.db import transaction

from catalog.services import catalog_load_demo
from checkout.services import terms_ensure_demo
from storefront.services import (
    DEMO_STAFF_EMAIL,
    DEMO_STAFF_PASSWORD,
    DEMO_USER_EMAIL,
    DEMO_USER_PASSWORD,
    demo_accounts_seed,
)


class Command(BaseCommand):
    help = (
        "Carica i dati dimostrativi: un rivenditore con il suo utente, un utente dello staff e il "
        "catalogo demo. Si può rilanciare: aggiorna quel che esiste."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="dice cosa verrebbe caricato")

    def handle(self, *args, dry_run: bool, **options):
        if dry_run:
            self.stdout.write(
                "Would load: demo reseller and its user, staff user, demo catalog, terms of sale."
            )
            return
        with transaction.atomic():
            demo_accounts_seed()
            catalog_report = catalog_load_demo()
            terms = terms_ensure_demo()
        self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        self.stdout.write(
            f"Catalogo demo: {catalog_report.added} aggiunti, {catalog_report.changed} modificati, "
            f"{catalog_report.retired} ritirati"
        )
        self.stdout.write(f"Termini di vendita: versione {terms.version}")
        self.stdout.write(f"Accesso rivenditore demo: {DEMO_USER_EMAIL} / {DEMO_USER_PASSWORD}")
        self.stdout.write(f"Accesso staff (/admin/): {DEMO_STAFF_EMAIL} / {DEMO_STAFF_PASSWORD}")
