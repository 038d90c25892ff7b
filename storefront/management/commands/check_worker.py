import time

from django.core.management.base import BaseCommand, CommandError

from storefront.command_arguments import positive_seconds
from storefront.models import WorkerHeartbeat
from storefront.services import worker_heartbeat_send


class Command(BaseCommand):
    help = "Invia un segnale tramite il broker e attende che un worker Celery lo elabori."

    def add_arguments(self, parser):
        parser.add_argument(
            "--timeout", type=positive_seconds, default=30.0, help="secondi di attesa (30)"
        )

    def handle(self, *args, timeout: float, **options):
        heartbeat = worker_heartbeat_send()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            heartbeat = WorkerHeartbeat.objects.get(pk=heartbeat.pk)
            if heartbeat.processed_at:
                self.stdout.write(
                    self.style.SUCCESS(
                        f"Worker OK: heartbeat {heartbeat.pk} processed by {heartbeat.processed_by}"
                    )
                )
                return
            time.sleep(0.2)
        raise CommandError(f"No worker processed heartbeat {heartbeat.pk} within {timeout} s")
