"""The README's commands and the production configuration, run for real."""

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import requests
import yaml
from django.conf import settings

from tests.fixtures.services import PROJECT_DIR, free_port, is_ci, service_missing, wait_for_port

PRODUCTION_ENV = {
    "DJANGO_ENV": "production",
    "SECRET_KEY": "k8#v2Qp!x7Lm@4Rz9Tw$3Yc6Nb1Hf5Jd0Gs8Ua2Ve7Ki4Op9Xq3Zr6Bt1Mn5Lw8",
    "FIELD_ENCRYPTION_KEY": "a-separate-long-random-key-for-secrets-at-rest",
    "ALLOWED_HOSTS": "storefront.example.it",
    "DATABASE_URL": "sqlite:////tmp/never-opened.sqlite3",
    "REDIS_URL": "redis://127.0.0.1:6379/0",  # the cache the rate limits count on; never opened
    "PARTNER_CENTER_TENANT_ID": "9171ce5b-baff-48a6-9656-c801daeb9a56",
    "PARTNER_CENTER_CLIENT_ID": "app-id",
    "PARTNER_CENTER_CLIENT_SECRET": "app-secret",
}


def clean_environment(**overrides) -> dict[str, str]:
    """The environment of a fresh shell: none of this test run's settings leak in."""
    dropped = {
        "DJANGO_SETTINGS_MODULE",
        "DATABASE_URL",
        "REDIS_URL",
        "CELERY_BROKER_URL",
        "EMAIL_URL",
        "SECRET_KEY",
        "DJANGO_ENV",
        "VAR_DIR",
        "DJANGO_ALLOW_ASYNC_UNSAFE",
    }
    env = {key: value for key, value in os.environ.items() if key not in dropped}
    env.update(overrides)
    return env


def manage(*args, env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_check_deploy():
    result = manage(
        "check", "--deploy", "--fail-level", "WARNING", env=clean_environment(**PRODUCTION_ENV)
    )
    assert result.returncode == 0, result.stdout + result.stderr


# Every module of the project's apps, loaded as a web process and a worker load them: the URLs,
# the admin, each app's models, views, services, tasks and commands.
_LOAD_EVERY_PRODUCTION_MODULE = """
import importlib, os, pkgutil, sys
import django
django.setup()
from django.conf import settings
from django.urls import get_resolver
get_resolver().url_patterns
for app in settings.INSTALLED_APPS:
    package = importlib.import_module(app.split(".")[0])
    if os.path.dirname(os.path.dirname(package.__file__ or "")) != os.getcwd():
        continue  # Django's and the libraries' apps
    for module in pkgutil.walk_packages(getattr(package, "__path__", []), package.__name__ + "."):
        if ".tests" in module.name or ".migrations" in module.name:
            continue
        importlib.import_module(module.name)
loaded = sorted(name for name in sys.modules if name.startswith("partnercenter_sandbox"))
print("installed:", "partnercenter_sandbox" in settings.INSTALLED_APPS, "loaded:", loaded)
"""


def test_production_neither_installs_nor_imports_the_sandbox():
    env = clean_environment(**PRODUCTION_ENV, DJANGO_SETTINGS_MODULE="storefront.settings")
    result = subprocess.run(
        [sys.executable, "-c", _LOAD_EVERY_PRODUCTION_MODULE],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "installed: False loaded: []"


def test_production_refuses_to_start_without_secret_key():
    env = clean_environment(**PRODUCTION_ENV)
    del env["SECRET_KEY"]
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "Set the SECRET_KEY environment variable" in result.stderr


def docker_compose_config(**environment) -> subprocess.CompletedProcess:
    executable = shutil.which("docker-compose")
    if executable is None:
        service_missing("docker-compose not installed (apt-get install docker-compose)")
    return subprocess.run(
        [executable, "--file", "docker-compose.yml", "config"],
        cwd=PROJECT_DIR,
        env=clean_environment(**environment),
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_docker_compose_file_is_valid_and_wires_every_service():
    result = docker_compose_config(
        SECRET_KEY="s",
        FIELD_ENCRYPTION_KEY="f",
        POSTGRES_PASSWORD="p",
        PARTNER_CENTER_TENANT_ID="t",
        PARTNER_CENTER_CLIENT_ID="c",
        PARTNER_CENTER_CLIENT_SECRET="x",
    )
    assert result.returncode == 0, result.stderr
    for service in ["web:", "worker:", "beat:", "postgres:", "redis:", "mailcatcher:"]:
        assert f"\n  {service}" in result.stdout
    assert "DATABASE_URL: postgres://storefront:p@postgres:5432/storefront" in result.stdout
    assert "CELERY_BROKER_URL: redis://redis:6379/1" in result.stdout


def test_docker_compose_refuses_to_run_without_production_secrets():
    result = docker_compose_config(POSTGRES_PASSWORD="p")
    assert result.returncode != 0
    assert "set SECRET_KEY" in result.stderr


@pytest.mark.skipif(shutil.which("make") is None and not is_ci(), reason="make not installed")
def test_make_run_serves_sign_in_and_the_demo_catalog(tmp_path):
    run_port, sandbox_port = free_port(), free_port()
    process = subprocess.Popen(
        ["make", "run", f"RUN_PORT={run_port}", f"SANDBOX_PORT={sandbox_port}"],
        cwd=PROJECT_DIR,
        env=clean_environment(VAR_DIR=str(tmp_path)),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    output: list[str] = []
    try:
        credentials = None
        for line in process.stdout:
            output.append(line)
            match = re.search(r"Accesso rivenditore demo: (\S+) / (\S+)", line)
            if match:
                credentials = match.groups()
            if "Storefront: http://127.0.0.1:" in line:
                break
        assert credentials, "".join(output)
        wait_for_port(run_port, timeout=60, process=process)

        session = requests.Session()
        base_url = f"http://127.0.0.1:{run_port}"
        sign_in = session.get(f"{base_url}/accounts/login/", timeout=10)
        assert sign_in.status_code == 200 and "Accedi" in sign_in.text
        catalog = session.post(
            f"{base_url}/accounts/login/",
            data={
                "username": credentials[0],
                "password": credentials[1],
                "csrfmiddlewaretoken": session.cookies["csrftoken"],
                "next": "/catalogo/",
            },
            headers={"Referer": f"{base_url}/accounts/login/"},
            timeout=30,
        )
        assert catalog.status_code == 200
        assert catalog.url == f"{base_url}/catalogo/"
        assert "Catalogo" in catalog.text
        assert "Microsoft 365 Business Standard" in catalog.text
        assert "Visualizza i piani" in catalog.text
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            # gunicorn's graceful stop can outlast a loaded machine; the answer was already read
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


# --- The compose stack's web service under production settings ----------------------------------

COMPOSE_SECRETS = {
    "SECRET_KEY": PRODUCTION_ENV["SECRET_KEY"],
    "FIELD_ENCRYPTION_KEY": PRODUCTION_ENV["FIELD_ENCRYPTION_KEY"],
    "POSTGRES_PASSWORD": "p",
    "PARTNER_CENTER_TENANT_ID": PRODUCTION_ENV["PARTNER_CENTER_TENANT_ID"],
    "PARTNER_CENTER_CLIENT_ID": "c",
    "PARTNER_CENTER_CLIENT_SECRET": "x",
}


def compose_web_service(**environment) -> dict:
    result = docker_compose_config(**COMPOSE_SECRETS, **environment)
    assert result.returncode == 0, result.stderr
    return yaml.safe_load(result.stdout)["services"]["web"]


_PRODUCTION_STATIC: list[Path] = []


def production_static_root(env: dict, tmp_path_factory) -> Path:
    """``collectstatic`` under production settings (the manifest storage), once per run."""
    if not _PRODUCTION_STATIC:
        var_dir = tmp_path_factory.mktemp("production-static")
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
            cwd=PROJECT_DIR,
            env={**env, "VAR_DIR": str(var_dir)},
            check=True,
            timeout=300,
        )
        _PRODUCTION_STATIC.append(var_dir / "static")
    return _PRODUCTION_STATIC[0]


@contextlib.contextmanager
def production_web_server(tmp_path, tmp_path_factory, **environment):
    """gunicorn with the compose web service's environment (production), on a free port.

    Only what lives in other containers is replaced: SQLite for PostgreSQL, the test Redis (the
    broker and the cache production requires; nothing is enqueued here), no SMTP.
    """
    service = compose_web_service(**environment)
    env = clean_environment(
        **{
            **{key: str(value) for key, value in service["environment"].items()},
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
            "REDIS_URL": settings.TEST_REDIS_URL,
            "CELERY_BROKER_URL": "",
            "EMAIL_URL": "",
            "VAR_DIR": str(tmp_path),
            # gunicorn itself believes X-Forwarded-Proto from 127.0.0.1 only; in the stack the
            # clients are other containers. Here they are this test: trust no address.
            "FORWARDED_ALLOW_IPS": "192.0.2.1",
        }
    )
    # Production pages need the hashed static files' manifest, as the image's build step makes it.
    (tmp_path / "static").symlink_to(
        production_static_root(env, tmp_path_factory), target_is_directory=True
    )
    port = free_port()
    process = subprocess.Popen(
        [
            *(sys.executable, "-m", "gunicorn", "storefront.wsgi:application"),
            *("--bind", f"127.0.0.1:{port}", "--workers", "1"),
        ],
        cwd=PROJECT_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        wait_for_port(port, timeout=60, process=process)
        yield service, port
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            # gunicorn's graceful stop can outlast a loaded machine; the answer was already read
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def test_the_compose_healthcheck_passes_under_production_settings(tmp_path, tmp_path_factory):
    # Given the web service as docker-compose runs it (DJANGO_ENV=production, HTTPS redirect,
    # ALLOWED_HOSTS without the container's address)
    with production_web_server(tmp_path, tmp_path_factory) as (service, port):
        test = service["healthcheck"]["test"]
        assert test[0] == "CMD"
        command = [
            sys.executable if part == "python" else part.replace(":8000/", f":{port}/")
            for part in test[1:]
        ]

        # When the compose healthcheck command runs against it
        result = subprocess.run(command, capture_output=True, text=True, timeout=30)

    # Then it passes: no DisallowedHost 400, no redirect to HTTPS
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("behind_tls_proxy", "is_trusted"), [("", False), ("false", False), ("true", True)]
)
def test_x_forwarded_proto_is_trusted_only_when_a_proxy_is_configured(
    tmp_path, tmp_path_factory, behind_tls_proxy, is_trusted
):
    # Given the production web service, with or without BEHIND_TLS_PROXY
    environment = {"BEHIND_TLS_PROXY": behind_tls_proxy} if behind_tls_proxy else {}
    with production_web_server(tmp_path, tmp_path_factory, **environment) as (_service, port):
        # When a client that reached it over plain HTTP claims HTTPS
        response = requests.get(
            f"http://127.0.0.1:{port}/pagina-inesistente/",
            headers={"Host": "localhost", "X-Forwarded-Proto": "https"},
            allow_redirects=False,
            timeout=60,  # a fresh gunicorn's first answer on a loaded machine
        )

    # Then without a proxy the claim is ignored (redirected to HTTPS); behind one it is believed
    if is_trusted:
        assert response.status_code == 404
    else:
        assert response.status_code == 301
        assert response.headers["Location"] == "https://localhost/pagina-inesistente/"


def test_the_compose_file_documents_the_proxy_and_trusts_none_by_default():
    service = compose_web_service()
    assert service["environment"]["BEHIND_TLS_PROXY"] == "false"
    assert service["environment"]["AXES_IPWARE_META_PRECEDENCE_ORDER"] == "REMOTE_ADDR"
    compose_text = (PROJECT_DIR / "docker-compose.yml").read_text()
    assert "BEHIND_TLS_PROXY=true" in compose_text
    assert "X-Forwarded-Proto" in compose_text
