"""Provisioning throughput against its limit: a real Celery worker on Redis at concurrency 1, 4
and 8, the sandbox answering every call after 50 ms.

    python -m bench.provisioning [--orders 40] [--concurrency 1,4,8]

For each concurrency: a worker starts (instrumented to count its SQL statements:
bench/worker_app.py), a warm-up order goes through (tokens, TLS, caches), then ``--orders`` orders
for new tenants are placed at once and the worker works them off. Partner Center's orders
complete at once and the poll wait is short, so the pipeline is measured, not the sleeps. The
limit is what the worker could do if each order were only its Partner Center calls, one after the
other, each 50 ms: concurrency / (calls per order × 50 ms).

Table on stdout; JSON in var/bench/provisioning.json; logs in var/bench/provisioning/.
"""

import argparse
import statistics
import sys
import time

from bench import harness, reporting, storefront_data
from bench.storefront_data import NEW
from bench.worker_app import statements_counted

CALL_LATENCY_MS = 50
PRODUCT_ENV = {
    "ORDER_POLL_SECONDS": "0.05",
    "ORDER_RETRY_BASE_SECONDS": "0.1",
    "ORDER_RETRY_MAX_SECONDS": "1",
    "LOG_LEVEL": "WARNING",
}
SANDBOX_DELAYS = {
    "order_not_found_seconds": 0,
    "order_completion_seconds": 0,
    "subscription_activation_seconds": 0,
    "token_lifetime_seconds": 3600,
}
TARGET_RATIO = 0.80


def arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=40, help="orders per concurrency")
    parser.add_argument("--concurrency", default="1,4,8", help="worker concurrencies")
    parser.add_argument("--timeout", type=float, default=600, help="seconds per concurrency")
    args = parser.parse_args(argv)
    args.concurrency = [int(value) for value in args.concurrency.split(",")]
    return args


def main(argv: list[str] | None = None) -> int:
    args = arguments(sys.argv[1:] if argv is None else argv)
    directory = harness.work_dir("provisioning")
    sandbox = harness.Sandbox.start(directory)
    redis = harness.RedisServer(directory)
    smtp = harness.SmtpSink()
    results = []
    try:
        redis.start()
        smtp.start()
        env = harness.service_env(
            database_url=harness.fresh_database("bench_provisioning"),
            redis=redis,
            sandbox=sandbox,
            smtp=smtp,
            directory=directory,
        )
        env.update(PRODUCT_ENV)
        harness.django_setup(env)
        sandbox.control.reset(delays=SANDBOX_DELAYS)
        sandbox.control.inject_fault("latency", latency_ms=CALL_LATENCY_MS)
        [account] = storefront_data.reseller_accounts(sandbox, 1)
        for concurrency in args.concurrency:
            results.append(measure(args, concurrency, account, sandbox, env, directory))
    finally:
        redis.stop()
        smtp.stop()
        sandbox.stop()
    report = {
        "orders_per_concurrency": args.orders,
        "call_latency_ms": CALL_LATENCY_MS,
        "target_ratio": TARGET_RATIO,
        "results": results,
    }
    print_report(report)
    print(f"\nJSON: {reporting.write_results('provisioning', report)}")
    return 0 if all(result["all_active"] for result in results) else 1


def measure(args, concurrency: int, account, sandbox, env: dict, directory) -> dict:
    from django.utils import timezone

    from orders.models import Order, OrderEvent, OrderStatus
    from partnercenter.models import PartnerCenterCall

    sql_dir = directory / f"sql-c{concurrency}"
    sql_dir.mkdir(exist_ok=True)
    celery = harness.CeleryProcesses(
        env={**env, "BENCH_SQL_DIR": str(sql_dir)}, directory=directory, app="bench.worker_app"
    )
    worker = celery.start_worker(concurrency=concurrency, name=f"worker-c{concurrency}")
    try:
        prefix = f"bench{concurrency}x{int(time.time())}"
        warm_up = [prepare(account, sandbox, f"{prefix}w{i}") for i in range(concurrency)]
        wait_until_done([place(*prepared) for prepared in warm_up], args.timeout)
        batch = [prepare(account, sandbox, f"{prefix}n{i}") for i in range(args.orders)]
        statements_before = statements_counted(sql_dir)
        cpu_before = harness.process_group_cpu_seconds(worker.pid)
        started = timezone.now()
        order_ids = [place(*prepared) for prepared in batch]
        done = wait_until_done(order_ids, args.timeout)
        cpu = harness.process_group_cpu_seconds(worker.pid) - cpu_before
        time.sleep(0.5)  # the last task's count is written right after it returns
        statements = statements_counted(sql_dir) - statements_before
    finally:
        celery.stop_all()
    orders = Order.objects.in_bulk(order_ids)
    activated = dict(
        OrderEvent.objects.filter(order_id__in=order_ids, to_status=OrderStatus.ACTIVE).values_list(
            "order_id", "created_at"
        )
    )
    # From the first placement to the last activation, as the database recorded them.
    seconds = (max(activated.values(), default=timezone.now()) - started).total_seconds()
    latencies = [
        (activated[pk] - orders[pk].created_at).total_seconds()
        for pk in order_ids
        if pk in activated
    ]
    calls = PartnerCenterCall.objects.filter(order_id__in=order_ids).count() / len(order_ids)
    orders_per_minute = len(order_ids) / seconds * 60
    limit_per_minute = concurrency / (calls * CALL_LATENCY_MS / 1000) * 60
    return {
        "concurrency": concurrency,
        "orders": len(order_ids),
        "all_active": done,
        "seconds": round(seconds, 2),
        "orders_per_minute": round(orders_per_minute, 1),
        "limit_orders_per_minute": round(limit_per_minute, 1),
        "ratio": round(orders_per_minute / limit_per_minute, 2),
        "p50_placement_to_active_s": round(statistics.median(latencies), 2) if latencies else None,
        "p95_placement_to_active_s": round(reporting.percentile(latencies, 95), 2)
        if latencies
        else None,
        "partner_center_calls_per_order": round(calls, 2),
        "sql_statements_per_order": round(statements / len(order_ids), 1),
        "worker_cpu_ms_per_order": round(cpu / len(order_ids) * 1000, 1),
    }


def prepare(account, sandbox, prefix: str):
    """A user with a checked-out cart and a new-tenant customer: all but «Conferma»."""
    from storefront.tests.factories import UserFactory

    user = UserFactory(reseller=account.user.reseller, password=None)
    customer = storefront_data.customer_for(NEW, sandbox=sandbox, account=account, prefix=prefix)
    return user, storefront_data.checked_out_cart(user), customer, account.mpn_id


def place(user, cart, customer, mpn_id: str) -> int:
    from orders.services import order_place

    return order_place(cart=cart, user=user, customer=customer, mpn_id=mpn_id).pk


def wait_until_done(order_ids: list[int], timeout: float) -> bool:
    from orders.models import Order, OrderStatus

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        open_orders = Order.objects.filter(pk__in=order_ids).exclude(
            status__in=(OrderStatus.ACTIVE, OrderStatus.FAILED)
        )
        if not open_orders.exists():
            return not Order.objects.filter(pk__in=order_ids, status=OrderStatus.FAILED).exists()
        time.sleep(0.2)
    return False


def print_report(report: dict) -> None:
    headers = [
        "concurrency",
        "orders",
        "orders/min",
        "limit/min",
        "ratio",
        "p95 s",
        "PC calls",
        "SQL",
        "CPU ms",
        "all active",
    ]
    rows = [
        [
            r["concurrency"],
            r["orders"],
            r["orders_per_minute"],
            r["limit_orders_per_minute"],
            r["ratio"],
            r["p95_placement_to_active_s"],
            r["partner_center_calls_per_order"],
            r["sql_statements_per_order"],
            r["worker_cpu_ms_per_order"],
            r["all_active"],
        ]
        for r in report["results"]
    ]
    print(
        f"\nProvisioning, each Partner Center call answered after {report['call_latency_ms']} ms "
        f"(target ratio >= {report['target_ratio']}; per order: calls, SQL statements, worker CPU)"
    )
    print(reporting.table(headers, rows))


if __name__ == "__main__":
    sys.exit(main())
