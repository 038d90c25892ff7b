"""Page benchmark of «Sottoscrizioni» (SPEC §10 "Pages"), against the cheapest signed-in page.

    DATABASE_URL=postgres://… .venv/bin/python -m pytest bench/bench_subscription_pages.py -s -q

With 1 000 subscriptions in the mirror, the list (first page, and a filtered search) and one
subscription's page are requested in turn with the profile page (the cheapest signed-in page),
interleaved so that both see the same machine. Reports throughput as a ratio to the profile
page, p95 as a ratio, and the HTML size; fails when the HTML is over 60 KB or the ratios miss
SPEC §10 (≥ 70 % throughput, p95 ≤ 2×).

Latest figures (2 December 2026, the shared 2-core development machine under seven engineers'
test runs, BENCH_ROUNDS=40): profile 24 req/s, p95 66 ms; the list (25 of 1 000 rows) 20 % of
its throughput, p95 6.2×, 16.7 KB of HTML — the bars are missed on that machine. The query
count is fixed (9 at 10 and at 1 000 subscriptions); the time goes to rendering the rows, not to
the database (each query under 15 ms). Meant to join bench/'s page benchmark.
"""

import os
import statistics
import time
import uuid

import pytest
from django.urls import reverse

from orders.tests.factories import placed_order
from subscriptions.models import Subscription
from subscriptions.tests.factories import mirrored_subscription
from tenants.tests.factories import CustomerFactory

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "200"))
SUBSCRIPTIONS = 1000
MAX_HTML_BYTES = 60 * 1024


def fill_mirror(order, count: int) -> Subscription:
    template = mirrored_subscription(order=order, order_line=None)
    customers = [template.customer] + [
        CustomerFactory(reseller=order.reseller, company_name=f"Cliente {n} S.r.l.")
        for n in range(20)
    ]
    rows = []
    for number in range(count - 1):
        row = Subscription(
            **{
                field.attname: getattr(template, field.attname)
                for field in Subscription._meta.concrete_fields
                if field.attname not in ("id", "order_line_id", "partner_center_id")
            }
        )
        row.partner_center_id = str(uuid.uuid4())
        row.customer_id = customers[number % len(customers)].pk
        row.title = f"Microsoft 365 Business {number:04d}"
        rows.append(row)
    Subscription.objects.bulk_create(rows)
    return template


def timed(client, url: str) -> tuple[float, int]:
    started = time.perf_counter()
    response = client.get(url)
    elapsed = time.perf_counter() - started
    assert response.status_code == 200, url
    return elapsed, len(response.content)


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[18]


def test_subscription_pages_against_the_cheapest_signed_in_page(client):
    order = placed_order()
    subscription = fill_mirror(order, SUBSCRIPTIONS)
    client.force_login(order.user)
    baseline = reverse("profile")
    pages = {
        "list": reverse("subscriptions:subscription_list"),
        "search": reverse("subscriptions:subscription_list") + "?q=Business+01&finestra=on",
        "detail": reverse("subscriptions:subscription_detail", kwargs={"pk": subscription.pk}),
    }
    for url in [baseline, *pages.values()]:  # warm up: templates, translations, connections
        timed(client, url)

    times = {name: [] for name in ["profile", *pages]}
    sizes = {}
    for _ in range(ROUNDS):
        times["profile"].append(timed(client, baseline)[0])
        for name, url in pages.items():
            elapsed, sizes[name] = timed(client, url)
            times[name].append(elapsed)

    base_mean, base_p95 = statistics.mean(times["profile"]), p95(times["profile"])
    print(f"\nprofile: {1 / base_mean:.0f} req/s, p95 {base_p95 * 1000:.1f} ms")
    for name in pages:
        throughput = base_mean / statistics.mean(times[name])
        tail = p95(times[name]) / base_p95
        print(
            f"{name}: {throughput:.0%} of the profile's throughput, p95 {tail:.2f}×, "
            f"HTML {sizes[name] / 1024:.1f} KB"
        )
        assert sizes[name] <= MAX_HTML_BYTES, name
        assert throughput >= 0.7, name
        assert tail <= 2.0, name
