"""Placing orders: concurrent placements and double-submits, against sequential placement.

    python -m bench.placement [--orders 48]

«Conferma» of the purchase flow is ``order_place``: one transaction that locks the cart, writes
the order and its lines and enqueues provisioning (to a Redis of its own, with no worker: only
the placement is measured). In short interleaved rounds: 8 placements one after the other (the
limit), then 8 at once from 8 processes, each with its own database connection, then 8 carts
each confirmed twice at the same moment (two tabs, a double click). Duplicates must be 0: one order
per cart, and both submits of a cart get it. SQL statements are counted per sequential placement.

Table on stdout; JSON in var/bench/placement.json.
"""

import argparse
import statistics
import sys
import time

from bench import harness, reporting, storefront_data
from bench.storefront_data import NEW

PARALLEL = 8
TARGET_P95_RATIO = 5.0


def arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--orders", type=int, default=48, help=f"placements per kind, in rounds of {PARALLEL}"
    )
    args = parser.parse_args(argv)
    args.rounds = max(1, args.orders // PARALLEL)
    return args


def main(argv: list[str] | None = None) -> int:
    args = arguments(sys.argv[1:] if argv is None else argv)
    directory = harness.work_dir("placement")
    sandbox = harness.Sandbox.start(directory)  # only for the resellers' and tenants' records
    redis = harness.RedisServer(directory)
    smtp = harness.SmtpSink()
    try:
        redis.start()
        env = harness.service_env(
            database_url=harness.fresh_database("bench_placement"),
            redis=redis,
            sandbox=sandbox,
            smtp=smtp,
            directory=directory,
        )
        harness.django_setup(env)
        [account] = storefront_data.reseller_accounts(sandbox, 1)
        report = run(args, account, sandbox)
    finally:
        redis.stop()
        sandbox.stop()
    print_report(report)
    print(f"\nJSON: {reporting.write_results('placement', report)}")
    return 0 if report["duplicates"] == 0 and not report["errors"] else 1


def run(args, account, sandbox) -> dict:
    sequential, concurrent, double_submits = [], [], []
    statements: list[int] = []
    errors: list[str] = []
    run_id = int(time.time())
    for round_number in range(args.rounds):
        tag = f"pl{run_id}r{round_number}"
        for index, prepared in enumerate(prepare_many(account, sandbox, f"{tag}s", PARALLEL)):
            seconds, _, count = timed_place(prepared, count_statements=index > 0)
            sequential.append(seconds)
            if count is not None:
                statements.append(count)
        batch = prepare_many(account, sandbox, f"{tag}c", PARALLEL)
        concurrent += [seconds for seconds, _ in at_once(batch, errors) if seconds is not None]
        doubled = prepare_many(account, sandbox, f"{tag}d", PARALLEL)
        double_submits += [
            (prepared, answers)
            for prepared, answers in zip(
                doubled, pairs(at_once([p for p in doubled for _ in (0, 1)], errors)), strict=True
            )
        ]
    duplicates, mismatched = count_duplicates(double_submits)
    sequential_p50 = statistics.median(sequential)
    concurrent_p95 = reporting.percentile(concurrent, 95)
    return {
        "rounds": args.rounds,
        "parallel": PARALLEL,
        "sequential": spread_ms(sequential),
        "concurrent": spread_ms(concurrent),
        "double_submit_carts": len(double_submits),
        "duplicates": duplicates,
        "double_submits_answered_another_order": mismatched,
        "errors": errors,
        "sql_statements_per_placement": {
            "min": min(statements, default=None),
            "max": max(statements, default=None),
        },
        "p95_concurrent_over_p50_sequential": round(concurrent_p95 / sequential_p50, 2),
        "target_ratio": TARGET_P95_RATIO,
    }


def prepare_many(account, sandbox, prefix: str, count: int) -> list[tuple]:
    from storefront.tests.factories import UserFactory

    prepared = []
    for index in range(count):
        user = UserFactory(reseller=account.user.reseller, password=None)
        customer = storefront_data.customer_for(
            NEW, sandbox=sandbox, account=account, prefix=f"{prefix}{index}"
        )
        prepared.append((user, storefront_data.checked_out_cart(user), customer, account.mpn_id))
    return prepared


def timed_place(prepared: tuple, *, count_statements: bool = False):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from orders.services import order_place

    user, cart, customer, mpn_id = prepared
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        order = order_place(cart=cart, user=user, customer=customer, mpn_id=mpn_id)
        seconds = time.perf_counter() - started
    return seconds, order.pk, len(queries) if count_statements else None


def at_once(batch: list[tuple], errors: list[str]) -> list[tuple[float, int | None]]:
    """Each placement in its own process (and database connection), released together: the
    storefront serves requests from several processes, and threads of one would only measure
    the GIL."""
    import multiprocessing

    from django.db import connections

    connections.close_all()  # a forked child must not share the parent's connection
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(len(batch))
    results = context.Queue()
    processes = [
        context.Process(target=_place_in_child, args=(index, prepared, barrier, results))
        for index, prepared in enumerate(batch)
    ]
    for process in processes:
        process.start()
    answers: list[tuple[float | None, int | None]] = [(None, None)] * len(batch)
    for _ in processes:
        index, seconds, order_id, error = results.get(timeout=120)
        answers[index] = (seconds, order_id)
        if error:
            errors.append(error)
    for process in processes:
        process.join(timeout=30)
    return answers


def _place_in_child(index: int, prepared: tuple, barrier, results) -> None:
    from django.db import connections

    try:
        _warm_up()
        barrier.wait(timeout=60)
        seconds, order_id, _ = timed_place(prepared)
        results.put((index, seconds, order_id, ""))
    except Exception as exc:  # counted and reported: none may fail
        results.put((index, None, None, f"{type(exc).__name__}: {exc}"))
    finally:
        connections.close_all()


def _warm_up() -> None:
    """Open the connections a serving process already holds: the database and the broker."""
    from django.db import connection

    from storefront.celery import app

    connection.ensure_connection()
    with app.producer_or_acquire() as producer:
        producer.connection.ensure_connection()


def pairs(answers: list) -> list[tuple]:
    return [tuple(answers[index : index + 2]) for index in range(0, len(answers), 2)]


def count_duplicates(double_submits: list) -> tuple[int, int]:
    """Orders beyond one per cart, and carts whose two submits got different orders."""
    from orders.models import Order

    duplicates = mismatched = 0
    for prepared, answers in double_submits:
        cart = prepared[1]
        duplicates += max(0, Order.objects.filter(cart_id=cart.pk).count() - 1)
        if len({order_id for _, order_id in answers}) != 1:
            mismatched += 1
    return duplicates, mismatched


def spread_ms(values: list[float]) -> dict:
    return {
        "count": len(values),
        "p50_ms": round(statistics.median(values) * 1000, 1),
        "p95_ms": round(reporting.percentile(values, 95) * 1000, 1),
        "max_ms": round(max(values) * 1000, 1),
    }


def print_report(report: dict) -> None:
    rows = [
        ["sequential", *report["sequential"].values()],
        [f"{report['parallel']} at once", *report["concurrent"].values()],
    ]
    print("\nPlacement (order_place on PostgreSQL; interleaved rounds)")
    print(reporting.table(["kind", "count", "p50 ms", "p95 ms", "max ms"], rows))
    sql = report["sql_statements_per_placement"]
    print(
        reporting.table(
            ["what", "value"],
            [
                ["p95 concurrent / p50 sequential", report["p95_concurrent_over_p50_sequential"]],
                ["target", f"<= {report['target_ratio']}"],
                ["carts confirmed twice at once", report["double_submit_carts"]],
                ["duplicate orders", report["duplicates"]],
                [
                    "double submits answered another order",
                    report["double_submits_answered_another_order"],
                ],
                ["errors", len(report["errors"])],
                ["SQL statements per placement", f"{sql['min']}-{sql['max']}"],
            ],
        )
    )


if __name__ == "__main__":
    sys.exit(main())
