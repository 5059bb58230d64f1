"""Benchmark: a campaign-wide address clean-up (N address changes to orders already pushed) through
the real pipeline into the Shopify simulator, against the plan's ceiling; the push of the same
orders, in the same run, is the baseline.

    .venv/bin/python benchmarks/changes.py [--plan plus] [--orders 5000] [--latency-ms 100-300]
    .venv/bin/python benchmarks/changes.py --orders 5000 --new-orders 500   (a push of new orders meanwhile)

Real parts, each its own process: PostgreSQL and Redis, Celery workers (threads), `manage.py
push_orders` (first the campaign, then the file of newer versions, each waited for to the end) and
the Shopify simulator with Shopify's cost-based rate limit and latency. A change costs what Shopify
charges for its calls (the order's owned fields read, its fulfilment orders read by the guard, one
orderUpdate); the ceiling for N changes is the bucket's burst plus its restore rate over the cost
points N changes spend, as benchmarks/push.py computes it for orderCreate. Printed for each phase:
items/s, the plan's maximum for that many at the cost measured, the ratio, cost points per item,
throttled answers, and for the changes: applied, applied twice (an order with more than one app
write), not final. With --new-orders, that many new orders are imported while the changes run: how
long their push took, and its rate against the same ceiling (not starved: both share the bucket).
Not a test: it prints figures; nothing asserts.
"""

import argparse
import copy
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from harness.celery_processes import CeleryWorker  # noqa: E402
from harness.served_process import ServedProcess, stop_all  # noqa: E402
from harness.simulator_control import SimulatorControl  # noqa: E402
from harness.waiting import free_port  # noqa: E402

SHOP = "bench-changes.myshopify.com"
ENV = {
    "DATABASE_URL": os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/backerkit_bench"),
    "REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/12"),
    "DEBUG": "0",
    "SECRET_KEY": "benchmark-secret-key-not-for-production",
    "SHOPIFY_API_KEY": "bench-api-key",
    "SHOPIFY_API_SECRET": "bench-api-secret-that-is-32-bytes-long",
    "ENCRYPTION_KEYS": "YmVuY2htYXJrLW9ubHkta2V5LWJlbmNobWFyay0wMDA=",
    "ALLOWED_HOSTS": "*",
    "SECURE_SSL_REDIRECT": "0",
    "APP_URL": "http://127.0.0.1:8999",
    "LOG_LEVEL": "WARNING",
    "CONN_MAX_AGE": "60",
}
BURST_SECONDS = 20  # every plan's bucket holds 20 s of its restore rate
PLANS = {"standard": 100.0, "advanced": 200.0, "plus": 1000.0}  # restore rate, points/s


def spent(control: SimulatorControl) -> float:
    state = control.state()
    shop = next(s for s in state["shops"] if s["domain"] == SHOP) if isinstance(state["shops"], list) else {}
    return float(state.get("cost_spent", shop.get("cost_spent", 0)))


def throttled(control: SimulatorControl) -> int:
    return int(control.state()["counters"].get("throttled", 0))


def push_file(env: dict, path: Path, log: str) -> float:
    started = time.monotonic()
    with open(ROOT / "artifacts" / log, "w") as errors:
        code = subprocess.call(
            [sys.executable, "manage.py", "push_orders", SHOP, str(path), "--connection", "Bench Store",
             "--timeout", "3600"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=errors,
        )  # fmt: skip
    if code != 0:
        raise RuntimeError((ROOT / "artifacts" / log).read_text()[-2000:])
    return time.monotonic() - started


def ceiling(n: int, cost_per_item: float, restore: float) -> float:
    """Items/s the plan allows for ``n`` items of that cost: burst (20 s of restore) then restore."""
    t_min = max(n * cost_per_item - restore * BURST_SECONDS, 0) / restore
    return n / t_min if t_min else float("inf")


def run(args) -> None:
    os.environ.update(ENV)
    os.environ["DJANGO_SETTINGS_MODULE"] = "shopapp.settings"
    (ROOT / "artifacts").mkdir(exist_ok=True)
    subprocess.run([sys.executable, "scripts/check_services.py"], cwd=ROOT, check=True, env=os.environ)
    import django

    django.setup()
    import redis
    from django.conf import settings
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    redis.Redis.from_url(ENV["REDIS_URL"]).flushdb()
    from integrations.backerkit.simulator.campaign import generate_campaign, sample_catalog
    from integrations.orders.models import OrderChange, PushRecord
    from integrations.shops.models import Shop
    from shopapp.celery import app as celery_app

    Shop.objects.filter(domain=SHOP).delete()
    port = free_port()
    sim_url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "SHOPIFY_ORIGIN_TEMPLATE": f"{sim_url}/{{shop}}", "PUSH_LANES_PER_SHOP": str(args.lanes),
           "CHANGE_LANES_PER_SHOP": str(args.lanes)}  # fmt: skip
    argv = [sys.executable, "manage.py", "shopify_simulator", "--port", str(port), "--no-catalog", "--latency-ms",
            args.latency_ms]  # fmt: skip
    sim = ServedProcess(argv, env=env, log_path=ROOT / "artifacts" / "bench-changes-sim.log",
                        name="shopify-simulator").start()  # fmt: skip
    procs = [sim]
    try:
        sim.wait_http(f"{sim_url}/_simulator/state.json", timeout=180)
        control = SimulatorControl(sim_url, timeout=600)
        catalog = sample_catalog()
        control.create_shop(SHOP, plan=args.plan, currency="USD", scopes=settings.SHOPIFY_SCOPES)
        control.seed_products(SHOP, catalog)
        token = control.mint_token(SHOP, kind="expiring", scopes=settings.SHOPIFY_SCOPES)
        Shop.objects.create(domain=SHOP, name="Bench", currency="USD", access_token=token["access_token"],
                            refresh_token=token.get("refresh_token", ""),
                            scopes=",".join(settings.SHOPIFY_SCOPES))  # fmt: skip
        workers = [CeleryWorker(env, concurrency=args.concurrency, name=f"benchc{i}",
                                log_path=ROOT / "artifacts" / f"bench-changes-worker-{i}.log")
                   for i in range(args.workers)]  # fmt: skip
        procs.extend(worker.start() for worker in workers)
        for worker in workers:
            worker.wait_ready(celery_app, timeout=180)
        restore = PLANS[args.plan]
        n = args.orders
        orders = generate_campaign(backers=n, seed=n, id_prefix="c")
        newer = []
        for index, order in enumerate(orders):
            version = copy.deepcopy(order)
            version["shipping_address"]["city"] = f"Moved {index}"
            newer.append(version)
        print(f"machine: {os.cpu_count()} cores; plan {args.plan} (restore {restore:.0f}/s); latency "
              f"{args.latency_ms} ms; {args.workers} workers x {args.concurrency} threads; "
              f"lanes {args.lanes}")  # fmt: skip
        print(f"{'phase':<22} {'N':>6} {'seconds':>8} {'items/s':>8} {'plan max/s':>10} {'ratio':>6} "
              f"{'cost/item':>9} {'throttled':>9} {'twice':>5} {'not final':>9}")  # fmt: skip
        with tempfile.TemporaryDirectory() as tmp:
            first = Path(tmp) / "campaign.jsonl"
            first.write_text("".join(json.dumps(o) + "\n" for o in orders))
            cost0, throttled0 = spent(control), throttled(control)
            seconds = push_file(env, first, "bench-changes-push.log")
            cost = (spent(control) - cost0) / n
            pushed = PushRecord.objects.filter(shop__domain=SHOP, state="pushed").count()
            _line("push (baseline)", n, seconds, cost, restore, throttled(control) - throttled0, 0, n - pushed)

            # The ceiling assumes a full bucket at the start of a phase, as the push had: the push
            # ends with the bucket drained, so let it refill (its burst is 20 s of restore).
            time.sleep(BURST_SECONDS + 1)
            second = Path(tmp) / "changes.jsonl"
            second.write_text("".join(json.dumps(o) + "\n" for o in newer))
            extra = None
            if args.new_orders:
                fresh = generate_campaign(backers=args.new_orders, seed=n + 1, id_prefix="new")
                extra = Path(tmp) / "new.jsonl"
                extra.write_text("".join(json.dumps(o) + "\n" for o in fresh))
            cost0, throttled0 = spent(control), throttled(control)
            started = time.monotonic()
            changer = subprocess.Popen(
                [sys.executable, "manage.py", "push_orders", SHOP, str(second), "--connection", "Bench Store",
                 "--timeout", "3600"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                stderr=open(ROOT / "artifacts" / "bench-changes-apply.log", "w"),
            )  # fmt: skip
            new_seconds = None
            if extra is not None:
                time.sleep(args.new_after)
                new_seconds = push_file(env, extra, "bench-changes-new.log")
            changer.wait()
            seconds = time.monotonic() - started
            changes = OrderChange.objects.filter(shop__domain=SHOP)
            cost = (spent(control) - cost0) / n
            writes = Counter()
            for order in control.orders(SHOP):
                writes[order["source_identifier"]] = sum(
                    1 for e in order.get("events", []) if e["actor"] == "app" and e["kind"] == "update"
                )
            twice = sum(1 for count in writes.values() if count > 1)
            not_final = changes.exclude(state="applied").count()
            _line("address changes", n, seconds, cost, restore, throttled(control) - throttled0, twice, not_final)
            if new_seconds is not None:
                new_pushed = PushRecord.objects.filter(shop__domain=SHOP, backerkit_order_id__startswith="new",
                                                       state="pushed").count()  # fmt: skip
                print(f"meanwhile: {args.new_orders} new orders imported {args.new_after:.0f} s into the "
                      f"changes, pushed {new_pushed} in {new_seconds:.1f} s "
                      f"({new_pushed / new_seconds:.1f} orders/s)")  # fmt: skip
    finally:
        stop_all(procs)


def _line(phase, n, seconds, cost, restore, throttled_answers, twice, not_final) -> None:
    rate, top = n / seconds, ceiling(n, cost, restore)
    print(f"{phase:<22} {n:>6} {seconds:>8.1f} {rate:>8.1f} {top:>10.1f} {rate / top:>6.2f} {cost:>9.2f} "
          f"{throttled_answers:>9} {twice:>5} {not_final:>9}", flush=True)  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--plan", choices=sorted(PLANS), default="plus")
    parser.add_argument("--orders", type=int, default=5000)
    parser.add_argument("--new-orders", type=int, default=0)
    parser.add_argument("--new-after", type=float, default=5.0, help="seconds into the changes")
    parser.add_argument("--latency-ms", default="100-300")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--lanes", type=int, default=48)
    run(parser.parse_args())


if __name__ == "__main__":
    main()
