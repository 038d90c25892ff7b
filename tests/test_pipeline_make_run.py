"""`make run` itself, as a new user runs it (issue 10): the site, a Celery worker with beat and the
sandbox on the embedded broker and SQLite. An order meeting three 503s on customer creation ends
active with no manual step, and one Ctrl-C (SIGINT to the terminal's process group) stops all."""

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from partnercenter.sandbox.control_client import SandboxControl
from tests.fixtures.services import PROJECT_DIR, free_port, is_ci, wait_for_port
from tests.test_deployment import clean_environment

pytestmark = pytest.mark.skipif(
    shutil.which("make") is None and not is_ci(), reason="make not installed"
)

PLACE_ORDER = """
import json
from checkout.selectors import terms_latest
from checkout.services import cart_add_plan, cart_checkout_start
from orders.services import order_place
from orders.tests.factories import BUSINESS_STANDARD, new_tenant_customer, sandbox_plan
from storefront.models import User
user = User.objects.get(email="demo@rivenditore-demo.it")
plan = sandbox_plan(BUSINESS_STANDARD)
cart_add_plan(user=user, plan_id=plan.pk, quantity=3, addon_quantities={})
cart = cart_checkout_start(
    user=user, terms_accepted=True, terms_version_id=terms_latest().pk,
    purchase_type="resale", ip_address="127.0.0.1",
)
customer = new_tenant_customer(reseller=user.reseller, prefix="makerun503")
order = order_place(cart=cart, user=user, customer=customer, mpn_id=user.reseller.mpn_id)
print(json.dumps({"order": order.pk}))
"""


def order_status(database, order_id: int) -> str:
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=10) as connection:
        [(status,)] = connection.execute(
            "SELECT status FROM orders_order WHERE id = ?", (order_id,)
        ).fetchall()
    return status


def test_make_run_provisions_through_its_worker_and_stops_on_one_ctrl_c(tmp_path):
    run_port, sandbox_port = free_port(), free_port()
    # Nothing but the retry base shortened, so that three backoffs do not take half a minute.
    env = clean_environment(VAR_DIR=str(tmp_path), ORDER_RETRY_BASE_SECONDS="1")
    process = subprocess.Popen(
        ["make", "run", f"RUN_PORT={run_port}", f"SANDBOX_PORT={sandbox_port}"],
        cwd=PROJECT_DIR,
        env=env,
        stdout=(tmp_path / "make-run.log").open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: the "terminal" of this test
    )
    try:
        wait_for_port(run_port, timeout=180, process=process)
        wait_for_port(sandbox_port, timeout=60, process=process)
        control = SandboxControl(
            f"https://127.0.0.1:{sandbox_port}", ca_bundle=str(tmp_path / "sandbox" / "cert.pem")
        )
        control.set_delays(
            order_completion_seconds=0, subscription_activation_seconds=0, order_not_found_seconds=0
        )
        control.inject_fault(
            "status", status=503, method="POST", path_regex=r"^/v1/customers$", count=3
        )

        # When an order for a new tenant is placed (committed by another process, as the site
        # does), with nobody doing anything afterwards
        placed = subprocess.run(
            [sys.executable, "manage.py", "shell"],
            cwd=PROJECT_DIR,
            env=env,
            input=PLACE_ORDER,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert placed.returncode == 0, placed.stderr[-3000:]
        order_id = json.loads(placed.stdout.strip().splitlines()[-1])["order"]

        # Then make run's worker takes it through the 503s to active
        deadline, status = time.monotonic() + 120, "placed"
        while time.monotonic() < deadline and status not in {"active", "failed"}:
            time.sleep(0.5)
            status = order_status(tmp_path / "db.sqlite3", order_id)
        log = (tmp_path / "make-run.log").read_text()
        assert status == "active", log[-6000:]
        creations = [
            call["status"]
            for call in control.calls(method="POST")
            if call["path"] == "/v1/customers"
        ]
        assert creations == [503, 503, 503, 201]
        assert "database is locked" not in log
        control.close()
    finally:
        # One Ctrl-C: the terminal sends SIGINT to the whole foreground process group
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(timeout=30)
        finally:
            stopped = _group_is_gone(process.pid, timeout=15)
            if not stopped:
                os.killpg(process.pid, signal.SIGKILL)
    assert stopped, (tmp_path / "make-run.log").read_text()[-3000:]


def _group_is_gone(group_id: int, *, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.killpg(group_id, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.2)
    return False
