"""Signed-in pages under load ÷ the cheapest signed-in page, on gunicorn and PostgreSQL.

    python -m bench.pages [PRODUCTS] [--subscriptions N] [--rounds N] [--seconds S]
                          [--connections C]

Builds a fresh database with a catalog of PRODUCTS products (default 500) imported from a
generated price list, a reseller with orders, customers, a cart of five lines and N subscriptions
in its «Sottoscrizioni» mirror (default 1 000, over 21 customers); starts gunicorn
with the production settings (2 workers × 4 threads) and drives it with wrk over loopback with
the reseller's session cookie. Each round measures, for every page, the limit then the page
(limit, catalog, limit, product, …) for S seconds each; the limit is ``/profilo/``, the cheapest
page with the same middleware, sign-in and layout. Reported per page: req/s, p50/p95/p99, the
ratio of its req/s to the limit's in the same round (median over rounds), its p95 ÷ the limit's,
HTML bytes and SQL statements (counted once, in this process, with the same settings).

To add a page, add a line to ``pages()``.
"""

import argparse
import json
import math
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from bench import harness, reporting

LIMIT = ("profile (limit)", "/profilo/")
TARGETS = {"ratio": 0.70, "p95_vs_limit": 2.0, "html_kb": 60}
WRK_SCRIPT = """
wrk.headers["Cookie"] = "sessionid=" .. os.getenv("BENCH_SESSION")
done = function(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "non_2xx_3xx": %d, "socket_errors": %d, '
    .. '"p50_us": %d, "p95_us": %d, "p99_us": %d}\\n',
    summary.requests, summary.duration, errors.status,
    errors.connect + errors.read + errors.write + errors.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
"""


def production_environment(database_url: str, var_dir: Path) -> dict[str, str]:
    return {
        "DJANGO_ENV": "production",
        "DJANGO_SETTINGS_MODULE": "storefront.settings",
        "DATABASE_URL": database_url,
        "SECRET_KEY": "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "FIELD_ENCRYPTION_KEY": "bench-only-field-encryption-key",
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "SECURE_SSL_REDIRECT": "false",
        "VAR_DIR": str(var_dir),
        # Placed orders go to a broker nobody reads: nothing is provisioned during the benchmark.
        "CELERY_BROKER_URL": "memory://",
        "REDIS_URL": "",
        "LOG_LEVEL": "WARNING",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("products", type=int, nargs="?", default=500)
    parser.add_argument("--subscriptions", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--connections", type=int, default=8)
    args = parser.parse_args()

    database_url = harness.fresh_database("bench_pages")
    var_dir = harness.BENCH_DIR / "pages-var"
    environment = production_environment(database_url, var_dir)
    harness.django_setup(environment)
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)
    fixture = seed(products=args.products, subscriptions=args.subscriptions)
    pages_to_measure = pages(fixture)
    static_counts = {name: count_page(url, fixture["session"]) for name, url in pages_to_measure}

    from django.db import connection

    connection.close()
    port = free_port()
    server = start_gunicorn(environment, port)
    try:
        load = measure(
            pages_to_measure[1:],
            base=f"http://127.0.0.1:{port}",
            session=fixture["session"],
            rounds=args.rounds,
            seconds=args.seconds,
            connections=args.connections,
        )
    finally:
        server.terminate()
        server.wait(timeout=30)
        harness.drop_database(database_url)
    results = summarise(load, static_counts, args)
    print_results(results)
    print(f"\nJSON: {reporting.write_results('pages', results)}")


# --- The data ----------------------------------------------------------------------------------


def seed(*, products: int, subscriptions: int) -> dict:
    """A catalog of ``products`` products, one reseller with orders, customers, a 5-line cart and
    ``subscriptions`` subscriptions."""
    from django.test import Client

    from catalog.models import Plan, Product
    from catalog.pricelist.importer import pricelist_import
    from catalog.pricelist.synthetic import (
        IT_ONLY,
        SKUS_PER_PRODUCT,
        TERMS_AND_BILLING,
        TRIAL_EVERY,
        synthetic_rows,
    )
    from catalog.pricelist.writer import pricelist_write
    from checkout.services import cart_add_plan
    from orders.tests.factories import order_user, placed_order
    from tenants.tests.factories import CustomerFactory

    # every TRIAL_EVERY-th synthetic product is a trial, which the import leaves out
    generated = math.ceil(products * TRIAL_EVERY / (TRIAL_EVERY - 1)) + 1
    rows = generated * SKUS_PER_PRODUCT * len(TERMS_AND_BILLING)
    with tempfile.NamedTemporaryFile("w", suffix=".csv", encoding="utf-8", newline="") as file:
        pricelist_write(stream=file, rows=synthetic_rows(rows, markets=IT_ONLY))
        file.flush()
        pricelist_import(path=file.name)
    extra = Product.objects.order_by("-product_id")[: max(0, Product.objects.count() - products)]
    Product.objects.filter(pk__in=list(extra.values_list("pk", flat=True))).delete()

    user = order_user()
    orders = [placed_order(user=user) for _ in range(30)]
    for _ in range(30):
        CustomerFactory(reseller=user.reseller)
    base_plans = Plan.objects.filter(
        sku__product__product_id__startswith="SYN", sku__is_addon=False, term="P1Y"
    ).order_by("pk")[:5]
    for plan in base_plans:
        cart_add_plan(user=user, plan_id=plan.pk, quantity=3, addon_quantities={})

    subscription = seed_subscriptions(order=orders[0], count=subscriptions)

    client = Client()
    client.force_login(user)
    return {
        "session": client.cookies["sessionid"].value,
        "product_id": Product.objects.filter(product_id__startswith="SYN")
        .order_by("product_id")
        .values_list("product_id", flat=True)
        .first(),
        "order_pk": orders[0].pk,
        "subscription_pk": subscription.pk,
        "products": Product.objects.count(),
        "subscriptions": subscriptions,
    }


def seed_subscriptions(*, order, count: int):
    """``count`` mirror rows of the order's reseller over 21 customers; the first one returned."""
    import uuid

    from subscriptions.models import Subscription
    from subscriptions.tests.factories import mirrored_subscription
    from tenants.tests.factories import CustomerFactory

    first = mirrored_subscription(order=order, order_line=None)
    customers = [first.customer] + [
        CustomerFactory(reseller=order.reseller, company_name=f"Cliente {n} S.r.l.")
        for n in range(20)
    ]
    copied = [
        field.attname
        for field in Subscription._meta.concrete_fields
        if field.attname not in ("id", "order_line_id", "partner_center_id")
    ]
    rows = []
    for number in range(count - 1):
        row = Subscription(**{name: getattr(first, name) for name in copied})
        row.partner_center_id = str(uuid.uuid4())
        row.customer_id = customers[number % len(customers)].pk
        row.title = f"Microsoft 365 Business {number:04d}"
        rows.append(row)
    Subscription.objects.bulk_create(rows, batch_size=1000)
    return first


def pages(fixture: dict) -> list[tuple[str, str]]:
    """The pages measured, the limit first."""
    return [
        LIMIT,
        ("catalog", "/catalogo/"),
        ("product plans", f"/catalogo/{fixture['product_id']}/"),
        ("cart, 5 lines", "/carrello/"),
        ("order list", "/ordini/"),
        ("order detail", f"/ordini/{fixture['order_pk']}/"),
        ("customer list", "/clienti/"),
        ("subscription list", "/sottoscrizioni/"),
        ("subscription search", "/sottoscrizioni/?q=Business+01&finestra=on"),
        ("subscription detail", f"/sottoscrizioni/{fixture['subscription_pk']}/"),
    ]


def count_page(url: str, session: str) -> dict:
    """HTML bytes and SQL statements of one request (they do not depend on load)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.cookies["sessionid"] = session
    client.get(url, secure=True)  # warm caches, as the server is warm
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, secure=True)
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}, not 200")
    return {"html_bytes": len(response.content), "sql": len(queries)}


# --- The load ----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_gunicorn(environment: dict[str, str], port: int) -> subprocess.Popen:
    gunicorn = Path(sys.executable).parent / "gunicorn"
    server = subprocess.Popen(
        [str(gunicorn), "storefront.wsgi", "--workers", "2", "--threads", "4",
         "--bind", f"127.0.0.1:{port}", "--log-level", "warning"],
        cwd=harness.PROJECT_DIR,
        env={**os.environ, **environment},
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health/", timeout=2):
                return server
        except OSError:
            if server.poll() is not None:
                raise SystemExit("gunicorn exited before answering") from None
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("gunicorn did not answer /health/ within 60 s")


def wrk(url: str, *, session: str, seconds: float, connections: int, script: Path) -> dict:
    output = subprocess.run(
        ["wrk", "-t", "2", "-c", str(connections), "-d", f"{max(1, round(seconds))}s",
         "--timeout", "10s", "-s", str(script), url],
        env={**os.environ, "BENCH_SESSION": session},
        capture_output=True,
        text=True,
        check=True,
    ).stdout  # fmt: skip
    measured = json.loads(output.strip().splitlines()[-1])
    if measured["non_2xx_3xx"] or measured["socket_errors"]:
        raise SystemExit(f"{url}: {measured}")
    measured["rps"] = measured["requests"] / (measured["duration_us"] / 1e6)
    return measured


def measure(page_list, *, base, session, rounds, seconds, connections) -> dict:
    """Limit, page, limit, page … for every page, ``rounds`` times."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
        script.write(WRK_SCRIPT)
        script.flush()
        run = {"session": session, "connections": connections, "script": Path(script.name)}
        wrk(base + LIMIT[1], seconds=1, **run)  # warm up both workers
        samples = {name: [] for name, _url in page_list}
        for _round in range(rounds):
            for name, url in page_list:
                limit = wrk(base + LIMIT[1], seconds=seconds, **run)
                page = wrk(base + url, seconds=seconds, **run)
                samples[name].append({"limit": limit, "page": page})
    return samples


# --- The report --------------------------------------------------------------------------------


def summarise(load: dict, static_counts: dict, args) -> dict:
    median = reporting.median
    limit_samples = [sample["limit"] for samples in load.values() for sample in samples]
    pages_out = {
        LIMIT[0]: {
            "rps": round(median([s["rps"] for s in limit_samples]), 1),
            "p50_ms": round(median([s["p50_us"] for s in limit_samples]) / 1000, 1),
            "p95_ms": round(median([s["p95_us"] for s in limit_samples]) / 1000, 1),
            "p99_ms": round(median([s["p99_us"] for s in limit_samples]) / 1000, 1),
            "ratio": 1.0,
            "p95_vs_limit": 1.0,
            **static_counts[LIMIT[0]],
        }
    }
    for name, samples in load.items():
        page = [sample["page"] for sample in samples]
        pages_out[name] = {
            "rps": round(median([s["rps"] for s in page]), 1),
            "p50_ms": round(median([s["p50_us"] for s in page]) / 1000, 1),
            "p95_ms": round(median([s["p95_us"] for s in page]) / 1000, 1),
            "p99_ms": round(median([s["p99_us"] for s in page]) / 1000, 1),
            "ratio": round(median([s["page"]["rps"] / s["limit"]["rps"] for s in samples]), 2),
            "ratio_per_round": [round(s["page"]["rps"] / s["limit"]["rps"], 2) for s in samples],
            "p95_vs_limit": round(
                median([s["page"]["p95_us"] / s["limit"]["p95_us"] for s in samples]), 2
            ),
            **static_counts[name],
        }
    return {
        "products": args.products,
        "subscriptions": args.subscriptions,
        "rounds": args.rounds,
        "seconds_per_run": args.seconds,
        "connections": args.connections,
        "server": "gunicorn, production settings, 2 workers x 4 threads",
        "targets": TARGETS,
        "pages": pages_out,
    }


def print_results(results: dict) -> None:
    rows = [
        [
            name,
            f"{page['rps']:.0f}",
            f"{page['p50_ms']:.1f}",
            f"{page['p95_ms']:.1f}",
            f"{page['p99_ms']:.1f}",
            f"{page['ratio']:.2f}",
            f"{page['p95_vs_limit']:.2f}",
            f"{page['html_bytes'] / 1024:.1f}",
            page["sql"],
        ]
        for name, page in results["pages"].items()
    ]
    print(
        f"\nPages, catalog of {results['products']} products, {results['subscriptions']} "
        f"subscriptions, median of {results['rounds']} rounds of {results['seconds_per_run']} s, "
        f"{results['connections']} connections"
    )
    print(reporting.table(
        ["page", "req/s", "p50 ms", "p95 ms", "p99 ms", "÷ limit", "p95 ÷ limit's", "HTML KB",
         "SQL"],
        rows,
    ))  # fmt: skip


if __name__ == "__main__":
    main()
