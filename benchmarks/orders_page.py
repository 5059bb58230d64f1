"""Benchmark: the merchant's Orders page with 100k push records in one shop.

Not a test. Builds a throw-away database (``test_<name>`` next to DATABASE_URL's, dropped after),
bulk-creates 100k records in one shop (and 1k in another: the baseline) in a realistic mix of
states, then times the Orders page through the Django test client with a real App Bridge id token:
first page, state filter, payment-status filter, search by backer id, search by BackerKit order
id, a deep page. Prints p50/p95 in ms, the number of SQL queries, and the ratio to the 1k-order
shop measured in the same run. With ``--proposed-indexes`` it adds the indexes proposed for
``PushRecord.Meta.indexes`` / ``PushAttempt.Meta.indexes`` and measures again.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/backerkit_shopify_bench REDIS_URL=redis://127.0.0.1:6379/12 \\
      DEBUG=1 .venv/bin/python benchmarks/orders_page.py --records 100000 --runs 40 --proposed-indexes
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shopapp.settings")
os.environ.setdefault("SHOPIFY_API_KEY", "bench-api-key")
os.environ.setdefault("SHOPIFY_API_SECRET", "bench-api-secret-bench-api-secret")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402

from benchmarks.seeding import seed_shop  # noqa: E402

PROPOSED_INDEXES = {
    # the payment-status filter, newest first
    "push_shop_fin_status_idx": "orders_pushrecord (shop_id, financial_status, id)",
    # search by Shopify order name (#1001)
    "push_shop_order_name_idx": "orders_pushrecord (shop_id, shopify_order_name)",
    # search by backer id within the shop (the existing index is on backer_id alone)
    "push_shop_backer_idx": "orders_pushrecord (shop_id, backer_id)",
    # "last push" on Home, the progress's pushed-since count
    "push_shop_pushed_at_idx": "orders_pushrecord (shop_id, pushed_at)",
    # the progress's orders-a-minute rate
    "attempt_finished_idx": "orders_pushattempt (finished_at)",
}


def measure(client: Client, *, url: str, params: dict, shop: str, runs: int) -> tuple[list[float], int]:
    from tests.support.id_tokens import bearer

    for _ in range(3):  # warm up: connection, template loading, plan cache
        client.get(url, params, headers=bearer(shop))
    timings = []
    queries = 0
    for _ in range(runs):
        headers = bearer(shop)
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url, params, headers=headers)
            timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (response.status_code, response.content[:300])
        queries = len(captured.captured_queries)
    return timings, queries


def explain(client: Client, *, shop: str) -> None:
    from tests.support.id_tokens import bearer

    url = reverse("pages:orders")
    client.get(url, headers=bearer(shop))
    with CaptureQueriesContext(connection) as captured:
        client.get(url, headers=bearer(shop))
    for query in captured.captured_queries:
        print(f"{float(query['time']) * 1000:8.1f} ms  {query['sql'][:220]}")


def p(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def run_scenarios(client: Client, *, big: str, small: str, runs: int, label: str) -> None:
    url = reverse("pages:orders")
    scenarios = [
        ("first page", {}),
        ("state = needs attention", {"state": "needs_attention"}),
        ("payment = partially paid", {"financial_status": "PARTIALLY_PAID"}),
        ("search backer id", {"q": "{backer}"}),
        ("search BackerKit order id", {"q": "bk-0000500"}),
        ("search Shopify order name", {"q": "#1501"}),
        ("page 200 (offset 9,950)", {"page": "200"}),
    ]
    print(f"\n== {label}: {runs} runs per scenario, times in ms (Django test client, in-process) ==")
    print(f"{'scenario':30} {'p50':>8} {'p95':>8} {'queries':>8} {'p50 1k':>8} {'ratio':>7}")
    for name, params in scenarios:
        params_big = {k: v.replace("{backer}", "150000") for k, v in params.items()}
        params_small = {k: v.replace("{backer}", "100500") for k, v in params.items()}
        big_t, big_q = measure(client, url=url, params=params_big, shop=big, runs=runs)
        small_t, _ = measure(client, url=url, params=params_small, shop=small, runs=runs)
        ratio = statistics.median(big_t) / statistics.median(small_t)
        print(
            f"{name:30} {statistics.median(big_t):8.1f} {p(big_t, 95):8.1f} {big_q:8d} "
            f"{statistics.median(small_t):8.1f} {ratio:6.2f}x"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--baseline", type=int, default=1_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--proposed-indexes", action="store_true", help="also measure with the proposed indexes")
    parser.add_argument("--explain", action="store_true", help="print each query of the first page with its time")
    args = parser.parse_args()

    if "postgresql" not in settings.DATABASES["default"]["ENGINE"]:
        sys.exit("Run the benchmark on PostgreSQL (DATABASE_URL=postgres://...).")
    setup_test_environment()
    settings.ALLOWED_HOSTS = ["*"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    old_name = settings.DATABASES["default"]["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        started = time.perf_counter()
        big = seed_shop(shop_domain="bench-big.myshopify.com", count=args.records)
        small = seed_shop(shop_domain="bench-small.myshopify.com", count=args.baseline)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        print(f"built {args.records:,} + {args.baseline:,} records in {time.perf_counter() - started:.1f} s")
        client = Client()
        if args.explain:
            explain(client, shop=big.domain)
        run_scenarios(client, big=big.domain, small=small.domain, runs=args.runs, label="model indexes as they are")
        if args.proposed_indexes:
            with connection.cursor() as cursor:
                for name, target in PROPOSED_INDEXES.items():
                    cursor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {target}")  # noqa: S608 - constants
                cursor.execute("ANALYZE")
            run_scenarios(client, big=big.domain, small=small.domain, runs=args.runs, label="with proposed indexes")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
