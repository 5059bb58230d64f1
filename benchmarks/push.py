"""Benchmark: N orders through the real pipeline into the Shopify simulator, against the plan's limit.

    .venv/bin/python benchmarks/push.py [--plan plus] [--orders 10000 50000] [--latency-ms 100-300]
    .venv/bin/python benchmarks/push.py --plan standard --orders 2000 5000   (10 orders/s: ~11 min)

Real parts, each its own process: PostgreSQL and Redis (as in production), Celery workers
(threads), `manage.py push_orders` importing a JSON Lines file, and the Shopify simulator with
Shopify's cost-based rate limit and a per-request latency like the real Shopify's. For each N it
prints: orders/s against the plan's theoretical maximum for that N (the bucket's burst plus its
restore rate, divided by the cost of one orderCreate), cost points spent per order against the
cost of one orderCreate, throttled answers, duplicates and orders missing, and the peak memory
(VmHWM) of the importing command and of the workers, with the ratio of the largest N to the first
(memory flat in N means a ratio near 1). Not a test: it prints figures; nothing asserts.
"""

import argparse
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

SHOP = "bench-store.myshopify.com"
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
    "LOG_LEVEL": "INFO",
    "CONN_MAX_AGE": "60",
}
ORDER_CREATE_COST = 10  # Shopify: a mutation costs 10 points
PLANS = {"standard": 100.0, "advanced": 200.0, "plus": 1000.0}  # restore rate, points/s


def vm_hwm_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def fresh_log(name: str) -> Path:
    """A log under artifacts/, emptied first (ServedProcess appends)."""
    path = ROOT / "artifacts" / name
    path.unlink(missing_ok=True)
    return path


def run(args) -> None:
    os.environ.update(ENV)
    (ROOT / "artifacts").mkdir(exist_ok=True)
    os.environ["DJANGO_SETTINGS_MODULE"] = "shopapp.settings"
    subprocess.run([sys.executable, "scripts/check_services.py"], cwd=ROOT, check=True, env=os.environ)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    import redis

    from integrations.backerkit.simulator.campaign import generate_campaign, sample_catalog

    print(f"machine: {os.cpu_count()} cores; plan {args.plan}; latency {args.latency_ms} ms; "
          f"{args.workers} workers x {args.concurrency} threads; lanes per shop {args.lanes}")  # fmt: skip
    print(f"{'N':>7} {'seconds':>8} {'orders/s':>9} {'plan max/s':>10} {'ratio':>6} {'cost/order':>10} "
          f"{'vs 1 create':>11} {'throttled':>9} {'dupes':>5} {'missing':>7} {'import MiB':>10} {'worker MiB':>10}")  # noqa: E501  # fmt: skip
    results = []
    for n in args.orders:
        redis.Redis.from_url(ENV["REDIS_URL"]).flushdb()
        result = one_run(n=n, args=args, catalog=sample_catalog(), campaign=generate_campaign)
        results.append(result)
        print(f"{n:>7} {result['seconds']:>8.1f} {result['rate']:>9.1f} {result['plan_max']:>10.1f} "
              f"{result['rate'] / result['plan_max']:>6.2f} {result['cost_per_order']:>10.2f} "
              f"{result['cost_per_order'] / ORDER_CREATE_COST:>10.2f}x {result['throttled']:>9} "
              f"{result['duplicates']:>5} {result['missing']:>7} {result['import_mib']:>10.1f} "
              f"{result['worker_mib']:>10.1f}", flush=True)  # fmt: skip
    if len(results) > 1:
        first, last = results[0], results[-1]
        print(f"memory, N={last['n']} vs N={first['n']} ({last['n'] / first['n']:.0f}x the orders): "
              f"import {last['import_mib'] / first['import_mib']:.2f}x, "
              f"workers {last['worker_mib'] / first['worker_mib']:.2f}x")  # fmt: skip


def one_run(*, n: int, args, catalog, campaign) -> dict:
    from integrations.orders.models import PushRecord
    from integrations.shops.models import Shop
    from shopapp.celery import app as celery_app

    Shop.objects.filter(domain=SHOP).delete()
    port = free_port()
    sim_url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "SHOPIFY_ORIGIN_TEMPLATE": f"{sim_url}/{{shop}}", "PUSH_LANES_PER_SHOP": str(args.lanes)}
    sim = ServedProcess(
        [sys.executable, "manage.py", "shopify_simulator", "--port", str(port), "--no-catalog",
         "--latency-ms", args.latency_ms],
        env=env, log_path=fresh_log("bench-simulator.log"), name="shopify-simulator",
    ).start()  # fmt: skip
    procs = [sim]
    try:
        sim.wait_http(f"{sim_url}/_simulator/state.json")
        control = SimulatorControl(sim_url, timeout=600)
        control.create_shop(SHOP, plan=args.plan, currency="USD")
        control.seed_products(SHOP, catalog)
        token = control.mint_token(SHOP, kind="expiring")
        Shop.objects.create(domain=SHOP, name="Bench", currency="USD", access_token=token["access_token"],
                            refresh_token=token.get("refresh_token", ""), scopes="read_products,write_orders,read_orders")  # noqa: E501  # fmt: skip
        workers = [
            CeleryWorker(
                env, concurrency=args.concurrency, name=f"bench{i}", log_path=fresh_log(f"bench-worker-{i}.log")
            )
            for i in range(args.workers)
        ]
        procs.extend(worker.start() for worker in workers)
        for worker in workers:  # connected to the broker before the clock starts
            worker.wait_ready(celery_app, timeout=60)
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "campaign.jsonl"
            with path.open("w") as handle:
                for order in campaign(backers=n, seed=n, id_prefix=f"b{n}"):
                    for item in order["items"]:
                        item["sku"] = (
                            item["sku"]
                            if item["sku"] in {v["sku"] for c in catalog for v in c["variants"]}
                            else "GAME-CORE"
                        )
                    handle.write(json.dumps(order) + "\n")
            started = time.monotonic()
            importer = subprocess.Popen(
                [sys.executable, "manage.py", "push_orders", SHOP, str(path), "--connection", "Bench Store"],
                cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=open(ROOT / "artifacts" / "bench-import.log", "w"),
            )  # fmt: skip
            importer_hwm = 0
            while importer.poll() is None:
                importer_hwm = max(importer_hwm, vm_hwm_kib(importer.pid))
                time.sleep(0.5)
            seconds = time.monotonic() - started
            if importer.returncode != 0:
                raise RuntimeError((ROOT / "artifacts" / "bench-import.log").read_text()[-2000:])
        worker_hwm = max(vm_hwm_kib(w.process.pid) for w in workers)
        state = control.state()
        shop_state = (
            next(s for s in state["shops"] if s["domain"] == SHOP)
            if isinstance(state["shops"], list)
            else state["shops"][SHOP]
        )
        orders = control.orders(SHOP)
        created = Counter(o["source_identifier"] for o in orders)
        pushed = PushRecord.objects.filter(shop__domain=SHOP, state="pushed").count()
        restore = PLANS[args.plan]
        bucket = restore * 20
        t_min = max(n * ORDER_CREATE_COST - bucket, 0) / restore
        return {
            "n": n,
            "seconds": seconds,
            "rate": n / seconds,
            "plan_max": n / t_min if t_min else float("inf"),
            "cost_per_order": state.get("cost_spent", shop_state.get("cost_spent", 0)) / max(len(orders), 1),
            "throttled": state["counters"].get("throttled", 0),
            "duplicates": sum(c - 1 for c in created.values() if c > 1),
            "missing": n - pushed,
            "import_mib": importer_hwm / 1024,
            "worker_mib": worker_hwm / 1024,
        }
    finally:
        stop_all(procs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--plan", choices=sorted(PLANS), default="plus")
    parser.add_argument("--orders", type=int, nargs="+", default=[10000, 50000])
    parser.add_argument("--latency-ms", default="100-300")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--lanes", type=int, default=48)
    run(parser.parse_args())


if __name__ == "__main__":
    main()
