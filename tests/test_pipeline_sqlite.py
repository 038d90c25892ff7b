"""The storefront on SQLite as `make run` serves it, with several writers at once (issue 10): two
tabs confirming the same checkout get one order, both reach it, and neither gets an error page
("database is locked")."""

import json
import os
import re
import sqlite3
import subprocess
import sys
import threading

import pytest
import requests

from storefront.tests.factories import DEFAULT_PASSWORD
from tests.fixtures.services import PROJECT_DIR, free_port, wait_for_port

CONFIRM_PATH = "/clienti/acquisto/conferma/"
PREPARE = """
import json
from tenants.tests.factories import checkout_ready_cart, draft_ready_to_confirm, reseller_user
user = reseller_user()
cart = checkout_ready_cart(user=user)
draft_ready_to_confirm(cart=cart)
print(json.dumps({"email": user.email, "checkout_token": str(cart.checkout_token)}))
"""


def sqlite_environment(tmp_path, pc_sandbox) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(
        pc_sandbox.env(),
        DJANGO_SETTINGS_MODULE="storefront.settings",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        VAR_DIR=str(tmp_path),
    )
    return env


def manage(*args, env, stdin: str | None = None) -> str:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=PROJECT_DIR,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        check=True,
        timeout=180,
    ).stdout


@pytest.fixture
def sqlite_site(tmp_path, pc_sandbox):
    """runserver (threaded) on a fresh SQLite database, with a cart ready to confirm."""
    env = sqlite_environment(tmp_path, pc_sandbox)
    manage("migrate", "--noinput", "--verbosity", "0", env=env)
    prepared = json.loads(manage("shell", env=env, stdin=PREPARE).strip().splitlines()[-1])
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=PROJECT_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        wait_for_port(port, timeout=60, process=server)
        yield f"http://127.0.0.1:{port}", prepared, tmp_path / "db.sqlite3"
    finally:
        server.terminate()
        server.wait(timeout=20)


def signed_in_session(base_url: str, email: str) -> requests.Session:
    session = requests.Session()
    session.get(f"{base_url}/accounts/login/", timeout=30)
    response = session.post(
        f"{base_url}/accounts/login/",
        data={
            "username": email,
            "password": DEFAULT_PASSWORD,
            "csrfmiddlewaretoken": session.cookies["csrftoken"],
        },
        headers={"Referer": f"{base_url}/accounts/login/"},
        timeout=30,
    )
    assert response.status_code == 200, response.text[:500]
    return session


def test_two_tabs_confirming_the_same_checkout_get_one_order_and_no_error(sqlite_site):
    base_url, prepared, database = sqlite_site
    session = signed_in_session(base_url, prepared["email"])
    confirm = session.get(f"{base_url}{CONFIRM_PATH}", timeout=30)
    assert confirm.status_code == 200
    form = {
        "checkout_token": prepared["checkout_token"],
        "action": "next",
        "csrfmiddlewaretoken": session.cookies["csrftoken"],
    }
    # Two tabs of one browser: the same cookies, the same form, «Prossimo >>» at the same time.
    tabs = [requests.Session() for _ in range(2)]
    for tab in tabs:
        tab.cookies.update(session.cookies)
    start = threading.Barrier(len(tabs))
    answers: list[requests.Response] = [None] * len(tabs)

    def submit(index: int) -> None:
        start.wait()
        answers[index] = tabs[index].post(
            f"{base_url}{CONFIRM_PATH}",
            data=form,
            headers={"Referer": f"{base_url}{CONFIRM_PATH}"},
            allow_redirects=False,
            timeout=60,
        )

    threads = [threading.Thread(target=submit, args=(index,)) for index in range(len(tabs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert [answer.status_code for answer in answers] == [302, 302], [
        answer.text[:300] for answer in answers
    ]
    first, second = (answer.headers["Location"] for answer in answers)
    assert first == second
    assert first.endswith("/completato/")
    for tab in tabs:
        placed = tab.get(f"{base_url}{first}", timeout=30)
        assert placed.status_code == 200
        # Placed, in activation or active: the heading says the order is complete
        assert re.search(r"data-page-heading>L(&#x27;|')ordine è completo", placed.text)
    with sqlite3.connect(database) as connection:
        [(orders,)] = connection.execute("SELECT COUNT(*) FROM orders_order").fetchall()
        [(journal_mode,)] = connection.execute("PRAGMA journal_mode").fetchall()
    assert orders == 1
    assert journal_mode == "wal"
