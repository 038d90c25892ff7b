from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from partnercenter_sandbox.server import build_server
from partnercenter_sandbox.settings_config import sandbox_config_from_settings
from storefront.command_arguments import port_number


class Command(BaseCommand):
    help = (
        "Avvia in HTTPS la sandbox locale di Partner Center (partnercenter_sandbox/README.md). "
        "Crea un certificato autofirmato in PARTNER_CENTER_CA_BUNDLE se manca. Non parte senza "
        "PARTNER_CENTER_SANDBOX_ENABLED."
    )
    # The sandbox stands apart from the site: it starts even when the site's checks fail.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1", help="indirizzo di ascolto (127.0.0.1)")
        parser.add_argument(
            "--port",
            type=port_number,
            # A string default goes through port_number too: a wrong setting is refused alike.
            default=str(settings.PARTNER_CENTER_SANDBOX_PORT),
            help=f"porta, da 0 a 65535, 0 per una libera ({settings.PARTNER_CENTER_SANDBOX_PORT})",
        )
        parser.add_argument(
            "--memory",
            action="store_true",
            help="stato in memoria invece che in PARTNER_CENTER_SANDBOX_DB",
        )

    def handle(self, *args, host: str, port: int, memory: bool, **options):
        if not settings.PARTNER_CENTER_SANDBOX_ENABLED:
            raise CommandError("The sandbox is not enabled (PARTNER_CENTER_SANDBOX_ENABLED).")
        if not settings.PARTNER_CENTER_CA_BUNDLE:
            raise CommandError("PARTNER_CENTER_CA_BUNDLE must name the sandbox's certificate file.")
        config = sandbox_config_from_settings(in_memory=memory)
        if not memory:
            Path(config.database_path).parent.mkdir(parents=True, exist_ok=True)
        try:
            server, _ = build_server(
                config, host=host, port=port, ca_bundle=Path(settings.PARTNER_CENTER_CA_BUNDLE)
            )
        except OSError as exc:
            raise CommandError(f"Cannot listen on {host}:{port}: {exc}") from exc
        self.stdout.write(
            f"Partner Center sandbox on https://{host}:{server.server_port} "
            f"(state: {config.database_path}, certificate: {settings.PARTNER_CENTER_CA_BUNDLE})"
        )
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            self.stdout.write("Sandbox stopped.")
        finally:
            server.server_close()
