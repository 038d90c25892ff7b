from datetime import timedelta

from django.core.management.base import BaseCommand
from django.utils import timezone

from orders import conf
from orders.services.sweeping import orders_sweep
from storefront.command_arguments import whole_minutes


class Command(BaseCommand):
    help = (
        "Rimette in coda gli ordini rimasti indietro in 'placed' o 'provisioning', in ritardo "
        "per il worker oltre la soglia (broker fermo quando sono stati inviati, worker "
        "interrotto, messaggio perso). Si può lanciare in ogni momento: l'attivazione è "
        "idempotente."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than-minutes",
            type=whole_minutes,
            metavar="N",
            help="in ritardo da più di N minuti (predefinito: ORDER_SWEEP_AFTER_MINUTES, "
            f"{int(conf.sweep_after().total_seconds() // 60)})",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="li elenca senza rimetterli in coda"
        )

    def handle(self, *args, older_than_minutes: int | None, dry_run: bool, **options):
        older_than = (
            conf.sweep_after()
            if older_than_minutes is None
            else timedelta(minutes=older_than_minutes)
        )
        result = orders_sweep(older_than=older_than, dry_run=dry_run)
        now = timezone.now()
        for order in result.overdue:
            late = int((now - order.attention_due_at).total_seconds() // 60)
            line = f"{order.number} {order.status}, due {late} min ago"
            if not dry_run:
                line += " → enqueued" if order.pk in result.resumed else " → moved on meanwhile"
            self.stdout.write(line)
        summary = (
            f"{len(result.overdue)} orders overdue by more than "
            f"{int(older_than.total_seconds() // 60)} min, {len(result.resumed)} enqueued again."
        )
        if dry_run:
            summary += " Dry run: nothing enqueued."
        self.stdout.write(self.style.SUCCESS(summary))
