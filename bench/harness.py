"""The real services `make proof` and the provisioning and placement benchmarks run on.

Each run gets its own PostgreSQL database, its own redis-server on a free port (so that it can be
restarted), the Partner Center sandbox over HTTPS in a thread, an SMTP server (aiosmtpd) that
keeps what it receives, and real `celery worker` / `celery beat` processes. Nothing here is a
stand-in for the storefront's own code: orders are placed with ``order_place`` and provisioned by
the worker exactly as in production.

Django is set up in this process (``django_setup``) only after the services are up, because the
storefront's settings read their environment at import.
"""

import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from email import message_from_bytes
from email.header import decode_header, make_header
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

PROJECT_DIR = Path(__file__).resolve().parents[1]
BENCH_DIR = Path(os.environ.get("VAR_DIR", PROJECT_DIR / "var")) / "bench"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/storefront"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, *, timeout: float = 20.0, process=None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"process exited with {process.returncode} before listening")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listening on 127.0.0.1:{port} after {timeout} s")


def work_dir(name: str) -> Path:
    """var/bench/<name>/, emptied: logs, the sandbox's certificate, beat's schedule."""
    path = BENCH_DIR / name
    path.mkdir(parents=True, exist_ok=True)
    for child in path.iterdir():
        if child.is_file():
            child.unlink()
    return path


# --- PostgreSQL -------------------------------------------------------------------------------


def fresh_database(suffix: str) -> str:
    """Drop and create the database <name of BENCH_DATABASE_URL / DATABASE_URL>_<suffix> on that
    server (storefront_proof by default); its URL. Named after the base so that runs of
    several checkouts on one server keep apart."""
    import psycopg

    base = os.environ.get("BENCH_DATABASE_URL") or os.environ.get(
        "DATABASE_URL", DEFAULT_DATABASE_URL
    )
    parts = urlsplit(base)
    if not parts.scheme.startswith("postgres"):
        raise SystemExit(f"PostgreSQL needed (BENCH_DATABASE_URL), not {parts.scheme}")
    name = f"{parts.path.strip('/') or 'storefront'}_{suffix}"
    admin_url = urlunsplit(parts._replace(path="/postgres", scheme="postgresql"))
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(parts._replace(path=f"/{name}"))


# --- Redis ------------------------------------------------------------------------------------


class RedisServer:
    """A redis-server of our own, without persistence: a restart loses every message in it, as
    a broker replaced after a crash would."""

    def __init__(self, directory: Path) -> None:
        self.port = free_port()
        self.directory = directory
        self.process: subprocess.Popen | None = None
        self.restarts = 0

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        log = (self.directory / "redis.log").open("a")
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.directory),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_for_port(self.port, process=self.process)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)

    def restart(self, *, down_seconds: float = 1.0) -> None:
        self.stop()
        time.sleep(down_seconds)  # the broker is away: clients see connection errors meanwhile
        self.start()
        self.restarts += 1


# --- Partner Center sandbox -------------------------------------------------------------------


@dataclass
class Sandbox:
    running: object
    control: object

    @classmethod
    def start(cls, directory: Path) -> "Sandbox":
        from partnercenter_sandbox.config import SandboxConfig
        from partnercenter_sandbox.control_client import SandboxControl
        from partnercenter_sandbox.server import start_in_thread

        running = start_in_thread(SandboxConfig(), ca_bundle=directory / "sandbox" / "cert.pem")
        control = SandboxControl(running.base_url, ca_bundle=running.ca_bundle, timeout=30)
        return cls(running=running, control=control)

    @property
    def base_url(self) -> str:
        return self.running.base_url

    def env(self) -> dict[str, str]:
        config = self.running.app.config
        return {
            "PARTNER_CENTER_BASE_URL": self.base_url,
            "PARTNER_CENTER_AUTHORITY_HOST": self.base_url,
            "PARTNER_CENTER_CA_BUNDLE": self.running.ca_bundle,
            "PARTNER_CENTER_TENANT_ID": config.tenant_id,
            "PARTNER_CENTER_CLIENT_ID": config.client_id,
            "PARTNER_CENTER_CLIENT_SECRET": config.client_secret,
            "PARTNER_CENTER_SANDBOX_ENABLED": "true",
        }

    def accept_on_invitation_page(self, *, domain: str, partner_id: str) -> None:
        """The customer's administrator presses «Accetta» on the invitation page."""
        import requests

        response = requests.post(
            f"{self.base_url}/_sandbox/invitation",
            data={"domain": domain, "partnerId": partner_id},
            verify=self.running.ca_bundle,
            timeout=30,
        )
        response.raise_for_status()

    def stop(self) -> None:
        self.control.close()
        self.running.stop()


# --- SMTP -------------------------------------------------------------------------------------


@dataclass
class ReceivedEmail:
    subject: str
    recipients: list[str]


@dataclass
class SmtpSink:
    port: int = field(default_factory=free_port)
    received: list[ReceivedEmail] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _controller: object = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    async def handle_DATA(self, smtp_server, session, envelope):  # aiosmtpd's handler protocol
        message = message_from_bytes(envelope.original_content)
        subject = str(make_header(decode_header(message.get("Subject", ""))))
        with self._lock:
            self.received.append(ReceivedEmail(subject, list(envelope.rcpt_tos)))
        return "250 Message accepted for delivery"

    def start(self) -> None:
        from aiosmtpd.controller import Controller

        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()

    def subjects(self) -> list[str]:
        with self._lock:
            return [email.subject for email in self.received]


# --- Django in this process -------------------------------------------------------------------


def django_setup(env: dict[str, str]) -> None:
    """Point this process's settings at the run's services, set Django up and migrate."""
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "storefront.settings"
    sys.path.insert(0, str(PROJECT_DIR))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)


def service_env(
    *, database_url: str, redis: RedisServer, sandbox: Sandbox, smtp: SmtpSink, directory: Path
) -> dict[str, str]:
    return {
        "DJANGO_ENV": "development",
        "DATABASE_URL": database_url,
        "DATABASE_CONN_MAX_AGE": "0",
        "CELERY_BROKER_URL": redis.url,
        "REDIS_URL": "",
        "EMAIL_URL": smtp.url,
        "VAR_DIR": str(directory),
        "LOG_LEVEL": "WARNING",
        **sandbox.env(),
    }


# --- Celery processes -------------------------------------------------------------------------


class CeleryProcesses:
    """`celery worker` and `celery beat` processes on the run's environment, each in its own
    process group (a SIGKILL takes the pool children too, as an OOM kill would)."""

    def __init__(self, *, env: dict[str, str], directory: Path, app: str = "storefront") -> None:
        self.env = {**os.environ, **env}
        self.directory = directory
        self.app = app
        self.processes: list[subprocess.Popen] = []
        self.kills = 0

    def _spawn(self, name: str, arguments: list[str]) -> subprocess.Popen:
        log_path = self.directory / f"{name}.log"
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "--app", self.app, *arguments],
            cwd=PROJECT_DIR,
            env=self.env,
            stdout=log_path.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        process.log_path = log_path
        self.processes.append(process)
        return process

    def start_worker(self, *, concurrency: int, name: str) -> subprocess.Popen:
        process = self._spawn(
            name,
            [
                "worker",
                "--loglevel",
                "INFO",
                "--concurrency",
                str(concurrency),
                "--hostname",
                f"{name}@%h",
                "--without-gossip",
                "--without-mingle",
            ],
        )
        deadline = time.monotonic() + 60
        while " ready." not in process.log_path.read_text():
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"worker {name} not ready:\n{process.log_path.read_text()}")
            time.sleep(0.1)
        return process

    def start_beat(self) -> subprocess.Popen:
        schedule = self.directory / "beat-schedule"
        return self._spawn(
            "beat", ["beat", "--loglevel", "INFO", "--schedule", str(schedule), "--pidfile", ""]
        )

    def kill(self, process: subprocess.Popen) -> None:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
        self.kills += 1

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)


def process_group_cpu_seconds(pgid: int) -> float:
    """User + system CPU seconds of the live processes of a process group (from /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name may hold spaces: the fields start after its closing parenthesis.
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(fields[2]) == pgid:
            total += int(fields[11]) + int(fields[12])
    return total / ticks


# --- The storefront's data, as the purchase flow leaves it -------------------------------------


@dataclass
class ResellerAccount:
    user: object
    mpn_id: str
    tenant_id: str


def reseller_accounts(sandbox: Sandbox, count: int) -> list[ResellerAccount]:
    """``count`` indirect resellers, Active with a signed MPA in the sandbox, each with one user
    whose profile MPN ID was validated (as after the wizard's first step)."""
    from decimal import Decimal

    from storefront.tests.factories import ResellerFactory, UserFactory

    accounts = []
    for index in range(count):
        mpn_id = f"{8100000 + index}"
        tenant_id = str(uuid.uuid4())
        sandbox.control.set_reseller(mpn_id, name=f"Rivenditore Bench {index}", tenant_id=tenant_id)
        reseller = ResellerFactory(
            mpn_id=mpn_id,
            partner_center_tenant_id=tenant_id,
            markup_percent_override=Decimal("0"),
            notification_email=f"ordini{index}@rivenditore.example",
        )
        accounts.append(ResellerAccount(UserFactory(reseller=reseller), mpn_id, tenant_id))
    return accounts


NEW, RELATED, UNRELATED = "new", "related", "unrelated"


def customer_for(kind: str, *, sandbox: Sandbox, account: ResellerAccount, prefix: str):
    """A storefront customer of ``kind``: a new tenant, an existing one already related to the
    reseller, or an existing one whose administrator has not accepted the invitation yet."""
    from tenants.models import Customer
    from tenants.tests.factories import CustomerFactory

    if kind == NEW:
        return CustomerFactory(
            reseller=account.user.reseller,
            tenant_domain_prefix=prefix,
            tenant_kind=Customer.TenantKind.NEW,
            relationship_state=Customer.RelationshipState.NOT_NEEDED,
        )
    domain = f"{prefix}.onmicrosoft.com"
    tenant = sandbox.control.add_tenant(
        domain,
        company_name=f"Cliente {prefix}",
        relationship_accepted=kind == RELATED,
        reseller_tenant_id=account.tenant_id if kind == RELATED else "",
        has_customer_agreement=kind == RELATED,
    )
    return CustomerFactory(
        reseller=account.user.reseller,
        company_name=f"Cliente {prefix}",
        tenant_domain_prefix=prefix,
        tenant_kind=Customer.TenantKind.EXISTING,
        relationship_state=Customer.RelationshipState.ACCEPTED
        if kind == RELATED
        else Customer.RelationshipState.PENDING,
        partner_center_customer_id=tenant["id"] if kind == RELATED else None,
    )


def checked_out_cart(user, *, quantity: int = 5):
    """The user's cart with Business Standard, «Checkout >>» done (terms accepted)."""
    from orders.tests.factories import checked_out_cart as cart_of

    return cart_of(user=user, quantity=quantity)


def place(user, customer, mpn_id: str):
    """«Conferma» of the purchase flow: the order, its provisioning enqueued after commit."""
    from orders.services import order_place

    return order_place(cart=checked_out_cart(user), user=user, customer=customer, mpn_id=mpn_id)


# --- Reporting --------------------------------------------------------------------------------


def percentile(values: Iterable[float], q: float) -> float | None:
    ordered = sorted(values)
    if not ordered:
        return None
    rank = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def table(headers: list[str], rows: list[list]) -> str:
    text = [[str(cell) for cell in row] for row in [headers, *rows]]
    widths = [max(len(row[i]) for row in text) for i in range(len(headers))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        for row in text
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


def write_json(name: str, data: dict) -> Path:
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    path = BENCH_DIR / f"{name}.json"
    path.write_text(json.dumps(data, indent=2, default=str) + "\n")
    return path


def machine() -> dict:
    cpu = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        found = re.search(r"model name\s*:\s*(.+)", cpuinfo.read_text())
        cpu = found.group(1).strip() if found else cpu
    return {"cpu": cpu, "cpus": os.cpu_count(), "python": sys.version.split()[0]}
