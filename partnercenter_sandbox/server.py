"""Serving the sandbox over HTTPS: in the foreground (manage.py partnercenter_sandbox) or in a
background thread (the test fixtures)."""

import threading
from dataclasses import dataclass
from pathlib import Path

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from partnercenter_sandbox.app import SandboxApp
from partnercenter_sandbox.certificate import ensure_certificate
from partnercenter_sandbox.config import SandboxConfig


class QuietRequestHandler(WSGIRequestHandler):
    """No access log line per request: the sandbox keeps its own call log."""

    def log_request(self, *args, **kwargs) -> None:
        pass


@dataclass
class RunningSandbox:
    app: SandboxApp
    server: BaseWSGIServer
    thread: threading.Thread
    base_url: str
    ca_bundle: str

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)


def key_path_for(ca_bundle: Path) -> Path:
    """The private key sits next to the certificate: var/sandbox/cert.pem and key.pem."""
    return ca_bundle.with_name("key.pem")


def build_server(
    config: SandboxConfig,
    *,
    host: str,
    port: int,
    ca_bundle: Path,
    request_handler: type[WSGIRequestHandler] = WSGIRequestHandler,
) -> tuple[BaseWSGIServer, SandboxApp]:
    ensure_certificate(ca_bundle, key_path_for(ca_bundle))
    app = SandboxApp(config)
    server = make_server(
        host,
        port,
        app,
        threaded=True,
        request_handler=request_handler,
        ssl_context=(str(ca_bundle), str(key_path_for(ca_bundle))),
    )
    return server, app


def start_in_thread(
    config: SandboxConfig, *, ca_bundle: Path, host: str = "127.0.0.1", port: int = 0
) -> RunningSandbox:
    """A sandbox on a free loopback port, served by a daemon thread until ``stop()``."""
    server, app = build_server(
        config, host=host, port=port, ca_bundle=ca_bundle, request_handler=QuietRequestHandler
    )
    thread = threading.Thread(
        target=server.serve_forever, name="partner-center-sandbox", daemon=True
    )
    thread.start()
    return RunningSandbox(
        app=app,
        server=server,
        thread=thread,
        base_url=f"https://{host}:{server.server_port}",
        ca_bundle=str(ca_bundle),
    )
