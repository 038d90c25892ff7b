"""`make proof`: the fault soak. N orders through the real pipeline on a bad day; exit 1 unless
every order ends active, exactly once, with exactly its e-mails.

    python -m bench.proof [--orders 200] [--seed 2026] [--timeout SECONDS]
    (environment: PROOF_ORDERS, PROOF_SEED, PROOF_TIMEOUT_SECONDS, PROOF_CONCURRENCY)

The orders mix new tenants (half), existing tenants already related to the reseller (a quarter)
and existing tenants whose administrator accepts the invitation on the sandbox's page only after
the order started waiting for it (a quarter). They are placed with ``order_place`` at a steady
pace and provisioned by a real Celery worker on PostgreSQL (a database of its own) and a
redis-server of its own, with Celery beat, against the HTTPS sandbox, which answers every call
with 0-200 ms of latency, 10 % 503, 5 % 429 with Retry-After, loses 3 % of the answers to POSTs
after doing them, and fails the identity platform's discovery and token calls too. While orders
are in flight the worker is SIGKILLed twice (a new one starts at once) and Redis is restarted
once, losing every message in it. Short waits (polls, backoff, sweep, relationship checks) come
from the environment, as an operator would set them, so that a run takes minutes.

Summary on stdout and in var/bench/proof.json; the worker, beat and Redis logs in
var/bench/proof/.
"""

import argparse
import os
import random
import sys
import time
from dataclasses import dataclass

from bench import harness, reporting, storefront_data
from bench.proof_summary import print_report, summarise
from bench.storefront_data import NEW, RELATED, UNRELATED

# What a run sets for the product (README "Configuration"): short waits, so that minutes suffice.
PRODUCT_ENV = {
    "ORDER_POLL_SECONDS": "0.5",
    "ORDER_RETRY_BASE_SECONDS": "0.5",
    "ORDER_RETRY_MAX_SECONDS": "4",
    "ORDER_RUN_LEASE_SECONDS": "20",
    # Lost messages are found at once by the sweep a worker makes when it (re)connects; the
    # periodic sweep's threshold stays above the time an order may wait in a busy queue, as an
    # operator would keep it (each resumption counts against the order's failure budget).
    "ORDER_SWEEP_AFTER_MINUTES": "2",
    # Above the longest task (a sweep of a few hundred orders on a loaded machine takes ~25 s):
    # a message is redelivered only when its worker is gone.
    "CELERY_VISIBILITY_TIMEOUT": "60",
    "EMAIL_RETRY_BASE_SECONDS": "1",
    "ORDER_SWEEP_INTERVAL_SECONDS": "10",
    "ORDER_RELATIONSHIP_SCAN_SECONDS": "5",
    "ORDER_RELATIONSHIP_CHECK_MIN_SECONDS": "5",
    "ORDER_RELATIONSHIP_CHECK_MAX_SECONDS": "60",
}
SANDBOX_DELAYS = {
    "order_not_found_seconds": 0.5,
    "order_completion_seconds": 1.0,
    "subscription_activation_seconds": 1.5,
    # msal renews a token with less than 5 minutes left: these last ~10 s, so the token endpoint
    # is called all through the run, faults included.
    "token_lifetime_seconds": 310,
}
FAULTS = (
    {"kind": "latency", "latency_ms": 0, "latency_max_ms": 200},
    {"kind": "status", "status": 503, "probability": 0.10},
    {"kind": "rate_limit", "retry_after": 1, "probability": 0.05},
    {"kind": "drop_after_commit", "method": "POST", "probability": 0.03},
    # The identity platform: these come on top of the ones above, which match its calls too.
    {"kind": "status", "status": 503, "route": "identity", "probability": 0.10},
    {"kind": "rate_limit", "retry_after": 1, "route": "identity", "probability": 0.05},
    {"kind": "drop", "route": "identity", "probability": 0.03},
)
PLACEMENTS_PER_SECOND = 4.0
ACCEPT_AFTER_SECONDS = (1.0, 5.0)  # the customer's administrator takes a moment
EMAIL_GRACE_SECONDS = 5.0  # after the end, a duplicate e-mail still has time to show up
RESELLERS = 3
MIN_SECONDS_BETWEEN_INCIDENTS = 5.0  # so that each one hits a pipeline still recovering


@dataclass
class PlannedOrder:
    kind: str
    prefix: str
    account: storefront_data.ResellerAccount
    customer: object = None
    order_id: int | None = None
    placed_at: float | None = None
    accept_at: float | None = None
    accepted_at: float | None = None


def arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=int(os.environ.get("PROOF_ORDERS", 200)))
    parser.add_argument("--seed", type=int, default=int(os.environ.get("PROOF_SEED", 2026)))
    parser.add_argument(
        "--timeout",
        type=float,
        default=float(os.environ.get("PROOF_TIMEOUT_SECONDS", 0)) or None,
        help="seconds after the first placement to give up (default 240 + 2 per order)",
    )
    parser.add_argument(
        "--concurrency", type=int, default=int(os.environ.get("PROOF_CONCURRENCY", 8))
    )
    args = parser.parse_args(argv)
    args.timeout = args.timeout or 240 + 2 * args.orders
    return args


def main(argv: list[str] | None = None) -> int:
    args = arguments(sys.argv[1:] if argv is None else argv)
    directory = harness.work_dir("proof")
    sandbox = harness.Sandbox.start(directory)
    redis = harness.RedisServer(directory)
    smtp = harness.SmtpSink()
    celery = None
    try:
        redis.start()
        smtp.start()
        database_url = harness.fresh_database("proof")
        env = harness.service_env(
            database_url=database_url, redis=redis, sandbox=sandbox, smtp=smtp, directory=directory
        )
        env.update(PRODUCT_ENV)
        harness.django_setup(env)
        sandbox.control.reset(seed=args.seed, delays=SANDBOX_DELAYS)
        plan = plan_orders(args, sandbox)
        for fault in FAULTS:
            sandbox.control.inject_fault(**fault)
        celery = harness.CeleryProcesses(env=env, directory=directory)
        celery.start_beat()
        worker = celery.start_worker(concurrency=args.concurrency, name="worker1")
        soak = Soak(args, plan, sandbox, redis, celery, worker)
        soak.run()
        sandbox.control.clear_faults()
        time.sleep(EMAIL_GRACE_SECONDS)
        celery.stop_all()
        report = summarise(args, plan, soak, sandbox, smtp, faults=FAULTS)
    finally:
        if celery is not None:
            celery.stop_all()
        redis.stop()
        smtp.stop()
        sandbox.stop()
    print_report(report)
    path = reporting.write_results("proof", report)
    print(f"\nJSON: {path}; logs: {directory}/")
    print("PROOF PASSED" if report["passed"] else "PROOF FAILED: " + "; ".join(report["problems"]))
    return 0 if report["passed"] else 1


def plan_orders(args, sandbox) -> list[PlannedOrder]:
    """The orders to place, shuffled, with their customers ready (and existing tenants in the
    sandbox), as the purchase flow's earlier steps would leave them."""
    randomness = random.Random(args.seed)
    accounts = storefront_data.reseller_accounts(sandbox, RESELLERS)
    kinds = [(NEW, NEW, RELATED, UNRELATED)[index % 4] for index in range(args.orders)]
    randomness.shuffle(kinds)
    run = f"{args.seed % 1000:03d}{randomness.randrange(10**6):06d}"
    plan = []
    for index, kind in enumerate(kinds):
        account = accounts[index % len(accounts)]
        planned = PlannedOrder(kind=kind, prefix=f"proof{run}n{index}", account=account)
        planned.customer = storefront_data.customer_for(
            kind, sandbox=sandbox, account=account, prefix=planned.prefix
        )
        plan.append(planned)
    return plan


class Soak:
    """Places the orders at a steady pace while breaking things, and watches them to the end."""

    def __init__(self, args, plan, sandbox, redis, celery, worker) -> None:
        self.args = args
        self.plan = plan
        self.sandbox = sandbox
        self.redis = redis
        self.celery = celery
        self.worker = worker
        self.random = random.Random(args.seed + 1)
        self.incidents: list[dict] = []
        self.started = self.finished = 0.0
        self.timed_out = False
        self.last_incident = 0.0
        # When to break things: as a share of the orders placed (all while orders are in flight).
        self.schedule = [
            (0.3, self.kill_worker),
            (0.55, self.restart_redis),
            (0.8, self.kill_worker),
        ]

    def run(self) -> None:
        from orders.models import Order, OrderStatus

        self.started = time.monotonic()
        deadline = self.started + self.args.timeout
        next_placement = self.started
        placed = 0
        while time.monotonic() < deadline:
            now = time.monotonic()
            while placed < len(self.plan) and now >= next_placement:
                self.place(self.plan[placed])
                placed += 1
                next_placement += 1 / PLACEMENTS_PER_SECOND
            statuses = dict(
                Order.objects.filter(
                    pk__in=[p.order_id for p in self.plan if p.order_id]
                ).values_list("pk", "status")
            )
            self.break_things(placed, statuses)
            self.accept_invitations(statuses)
            terminal = {OrderStatus.ACTIVE, OrderStatus.FAILED, OrderStatus.CANCELLED}
            if placed == len(self.plan) and all(s in terminal for s in statuses.values()):
                break
            time.sleep(0.2)
        else:
            self.timed_out = True
        self.finished = time.monotonic()

    def place(self, planned: PlannedOrder) -> None:
        account = planned.account
        order = storefront_data.place(account.user, planned.customer, account.mpn_id)
        planned.order_id = order.pk
        planned.placed_at = time.monotonic()

    def break_things(self, placed: int, statuses: dict) -> None:
        from orders.models import OrderStatus

        in_flight = sum(
            1
            for status in statuses.values()
            if status in (OrderStatus.PLACED, OrderStatus.PROVISIONING)
        )
        now = time.monotonic()
        while (
            self.schedule
            and placed >= self.schedule[0][0] * len(self.plan)
            and in_flight
            and now >= self.last_incident + MIN_SECONDS_BETWEEN_INCIDENTS
        ):
            _, action = self.schedule.pop(0)
            at = round(now - self.started, 1)
            self.last_incident = now
            action()
            self.incidents.append(
                {"at_seconds": at, "what": action.__name__, "orders_in_flight": in_flight}
            )
            print(f"[{at:7.1f} s] {action.__name__} with {in_flight} orders in flight")

    def kill_worker(self) -> None:
        self.celery.kill(self.worker)
        self.worker = self.celery.start_worker(
            concurrency=self.args.concurrency, name=f"worker{self.celery.kills + 1}"
        )

    def restart_redis(self) -> None:
        self.redis.restart()

    def accept_invitations(self, statuses: dict) -> None:
        from orders.models import OrderStatus

        now = time.monotonic()
        for planned in self.plan:
            if planned.kind != UNRELATED or planned.accepted_at is not None:
                continue
            if planned.accept_at is None:
                if statuses.get(planned.order_id) == OrderStatus.AWAITING_RELATIONSHIP:
                    planned.accept_at = now + self.random.uniform(*ACCEPT_AFTER_SECONDS)
            elif now >= planned.accept_at:
                self.sandbox.accept_on_invitation_page(
                    domain=f"{planned.prefix}.onmicrosoft.com",
                    partner_id=planned.account.tenant_id,
                )
                planned.accepted_at = time.monotonic()


if __name__ == "__main__":
    sys.exit(main())
