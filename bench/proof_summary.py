"""`make proof`'s summary: what the run did, read from the database, the sandbox and the SMTP
server; printed as a table and written to var/bench/proof.json by bench/proof.py."""

import collections
from datetime import timedelta

from bench import reporting
from bench.storefront_data import UNRELATED


def summarise(args, plan, soak, sandbox, smtp, *, faults) -> dict:
    from orders.models import Order, OrderEvent, OrderStatus
    from partnercenter.models import PartnerCenterCall

    orders = Order.objects.in_bulk([p.order_id for p in plan if p.order_id])
    activated = dict(
        OrderEvent.objects.filter(order_id__in=orders, to_status=OrderStatus.ACTIVE).values_list(
            "order_id", "created_at"
        )
    )
    calls = collections.Counter(
        PartnerCenterCall.objects.filter(order_id__in=orders).values_list("order_id", flat=True)
    )
    emails = emails_per_order(orders.values(), smtp)
    duplicates = sandbox.control.duplicates()
    sandbox_calls = sandbox.control.calls()
    states = collections.Counter(order.status for order in orders.values())
    reasons = collections.Counter(
        f"{order.failure_reason}:{order.failure_code}"
        for order in orders.values()
        if order.status == OrderStatus.FAILED
    )
    to_active: dict[str, list[float]] = collections.defaultdict(list)
    wrong_emails, not_active = [], []
    for planned in plan:
        order = orders.get(planned.order_id)
        if order is None:
            not_active.append({"kind": planned.kind, "status": "not placed"})
            continue
        if order.status != OrderStatus.ACTIVE:
            not_active.append(order_story(order, planned))
        elif order.pk in activated:
            # An unrelated tenant's order is timed from the acceptance: before it, it waits for
            # a person, not for the pipeline.
            since = order.created_at
            if planned.kind == UNRELATED and planned.accepted_at is not None:
                since = order.created_at + _seconds(planned.accepted_at - planned.placed_at)
            to_active[planned.kind].append((activated[order.pk] - since).total_seconds())
        expected = {"credentials": int(order.is_new_tenant), "summary": 1}
        got = emails.get(order.pk, {"credentials": 0, "summary": 0})
        if got != expected:
            wrong_emails.append({"order": order.number, "expected": expected, "got": got})
    all_times = [seconds for values in to_active.values() for seconds in values]
    problems = []
    if not_active:
        problems.append(f"{len(not_active)} orders not active")
    if any(duplicates.values()):
        problems.append(f"duplicates in Partner Center {duplicates}")
    if wrong_emails:
        problems.append(f"{len(wrong_emails)} orders with the wrong e-mails")
    if soak.timed_out:
        problems.append(f"timed out after {args.timeout:.0f} s")
    return {
        "passed": not problems,
        "problems": problems,
        "orders": len(plan),
        "kinds": dict(collections.Counter(p.kind for p in plan)),
        "seed": args.seed,
        "worker_concurrency": args.concurrency,
        "seconds": round(soak.finished - soak.started, 1),
        "faults": list(faults),
        "incidents": soak.incidents,
        "states": dict(states),
        "failure_reasons": dict(reasons),
        "duplicates": duplicates,
        "emails": {
            "orders_with_wrong_emails": wrong_emails,
            "received": len(smtp.received),
            "other": [s for s in smtp.subjects() if not s.startswith(EMAIL_SUBJECTS)],
        },
        "partner_center_calls_per_order": spread(list(calls.values())),
        "sandbox": {
            "calls": len(sandbox_calls),
            "token_requests": sum(1 for c in sandbox_calls if c["path"].endswith("/token")),
            "faults_fired": dict(
                collections.Counter(c["fault"] for c in sandbox_calls if c["fault"])
            ),
        },
        "seconds_to_active": {
            "all": spread(all_times),
            **{kind: spread(values) for kind, values in sorted(to_active.items())},
        },
        "not_active": not_active,
    }


EMAIL_SUBJECTS = ("Credenziali di accesso · ", "Riepilogo della sottoscrizione · ordine ")


def emails_per_order(orders, smtp) -> dict[int, dict[str, int]]:
    """What the SMTP server received, per order: credentials (by tenant domain) and summary
    (by order number)."""
    by_subject = {}
    for order in orders:
        by_subject[f"{EMAIL_SUBJECTS[0]}{order.tenant_domain}"] = (order.pk, "credentials")
        by_subject[f"{EMAIL_SUBJECTS[1]}{order.number}"] = (order.pk, "summary")
    counts: dict[int, dict[str, int]] = {
        order.pk: {"credentials": 0, "summary": 0} for order in orders
    }
    for subject in smtp.subjects():
        if subject in by_subject:
            order_id, kind = by_subject[subject]
            counts[order_id][kind] += 1
    return counts


def order_story(order, planned) -> dict:
    """What an operator needs to see of an order that did not end active."""
    from orders.event_messages import event_staff_text

    return {
        "order": order.number,
        "id": order.pk,
        "kind": planned.kind,
        "status": order.status,
        "failure": f"{order.failure_reason}:{order.failure_code} {order.failure_detail}".strip(),
        "attention_due_at": order.attention_due_at,
        "transient_failures": order.transient_failures,
        "events": [
            f"{event.created_at:%H:%M:%S.%f} {event.type} {event_staff_text(event)}"[:300]
            for event in order.events.order_by("pk")
        ][-12:],
    }


def spread(values: list[float]) -> dict:
    if not values:
        return {"count": 0}
    return {
        "count": len(values),
        "p50": round(reporting.percentile(values, 50), 2),
        "p95": round(reporting.percentile(values, 95), 2),
        "max": round(max(values), 2),
        "mean": round(sum(values) / len(values), 2),
    }


def _seconds(value: float) -> timedelta:
    return timedelta(seconds=value)


def print_report(report: dict) -> None:
    print(
        f"\nmake proof: {report['orders']} orders {report['kinds']} in {report['seconds']} s, "
        f"worker concurrency {report['worker_concurrency']}, seed {report['seed']}"
    )
    for incident in report["incidents"]:
        print(
            f"  {incident['what']} at {incident['at_seconds']} s "
            f"({incident['orders_in_flight']} orders in flight)"
        )
    rows = [["state: " + state, count] for state, count in sorted(report["states"].items())]
    rows += [["failed: " + reason, count] for reason, count in report["failure_reasons"].items()]
    rows += [[f"duplicate {kind}", count] for kind, count in report["duplicates"].items()]
    rows.append(["orders with wrong e-mails", len(report["emails"]["orders_with_wrong_emails"])])
    rows.append(["e-mails received", report["emails"]["received"]])
    rows.append(["other e-mails (alerts, reminders)", len(report["emails"]["other"])])
    calls = report["partner_center_calls_per_order"]
    rows.append(
        [
            "Partner Center calls per order p50 / max",
            f"{calls.get('p50')} / {calls.get('max')} (mean {calls.get('mean')})",
        ]
    )
    rows.append(
        [
            "sandbox calls / token requests",
            f"{report['sandbox']['calls']} / {report['sandbox']['token_requests']}",
        ]
    )
    rows.append(["faults fired", report["sandbox"]["faults_fired"]])
    for kind, times in report["seconds_to_active"].items():
        if times.get("count"):
            rows.append(
                [
                    f"seconds to active ({kind}) p50 / p95 / max",
                    f"{times['p50']} / {times['p95']} / {times['max']} (n={times['count']})",
                ]
            )
    print(reporting.table(["what", "value"], rows))
    for story in report["not_active"][:10]:
        print(f"\nnot active: {story}")
