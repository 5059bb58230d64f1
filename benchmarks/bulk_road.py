"""Benchmark: a campaign through both roads (paced calls + bulk operations) on a Standard store.

    .venv/bin/python benchmarks/bulk_road.py [--orders 10000] [--rates 20 50 100] [--fail-halfway]
        [--latency-ms 100-300] [--start-delay 2] [--plan standard]

Real parts, each its own process, as benchmarks/push.py: PostgreSQL, Redis, Celery workers (with
beat: the bulk road's tick), ``manage.py push_orders`` importing a JSON Lines file, and the Shopify
simulator with Shopify's cost-based rate limit, a per-request latency and the simulated bulk
runner at ``--rates`` lines a second (an assumption: Shopify publishes no figure) after a start-up
of ``--start-delay`` seconds. The shop is on ``auto``: bulk joins above 300 pending orders, its first
chunk is small (it measures the runner), the next ones are sized so that both roads finish
together. For each N and rate it prints orders/s against the calls-only ceiling (the bucket's burst
plus restore rate over one orderCreate's cost) and against the ideal of both roads together
(ceiling + runner rate, after the runner's start-up), points per order, orders by road, bulk
operations, duplicates, missing, and peak memory (VmHWM) of the import and the workers.
``--fail-halfway``: the first bulk operation reaching a quarter of N lines FAILS there
(INTERNAL_SERVER_ERROR, partial results): the rest must still arrive once, by lookup then calls.
Not a test: it prints figures; nothing asserts.
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

from benchmarks.push import ENV, ORDER_CREATE_COST, PLANS, fresh_log, vm_hwm_kib  # noqa: E402
from harness.celery_processes import CeleryWorker  # noqa: E402
from harness.served_process import ServedProcess, stop_all  # noqa: E402
from harness.simulator_control import SimulatorControl  # noqa: E402
from harness.waiting import free_port  # noqa: E402

SHOP = "bench-bulk.myshopify.com"
PLAN = "standard"  # the plan; --plan for a memory run at 50k that must end within minutes


def run(args) -> None:
    os.environ.update(ENV)
    os.environ.update({"BULK_TICK_SECONDS": "2", "PUSH_SEARCH_GRACE_SECONDS": "20"})
    (ROOT / "artifacts").mkdir(exist_ok=True)
    os.environ["DJANGO_SETTINGS_MODULE"] = "shopapp.settings"
    subprocess.run([sys.executable, "scripts/check_services.py"], cwd=ROOT, check=True, env=os.environ)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    import redis

    from integrations.backerkit.simulator.campaign import generate_campaign, sample_catalog

    global PLAN
    PLAN = args.plan
    print(f"machine: {os.cpu_count()} cores; load {os.getloadavg()[0]:.1f}; plan {PLAN}; "
          f"latency {args.latency_ms} ms; runner start-up "
          f"{args.start_delay} s; {args.workers} workers x {args.concurrency} threads; lanes per shop {args.lanes}"
          + ("; an operation FAILS at N/4 lines" if args.fail_halfway else ""))  # fmt: skip
    print(f"{'N':>6} {'lines/s':>7} {'seconds':>8} {'orders/s':>8} {'calls max':>9} {'x calls':>7} {'ideal':>6} "
          f"{'of ideal':>8} {'runner':>6} {'of ideal@runner':>15} {'pts/order':>9} {'by bulk':>7} {'ops':>4} "
          f"{'dupes':>5} {'missing':>7} "
          f"{'import MiB':>10} {'worker MiB':>10}")  # fmt: skip
    for n in args.orders:
        for rate in args.rates:
            redis.Redis.from_url(ENV["REDIS_URL"]).flushdb()
            r = one_run(n=n, rate=rate, args=args, catalog=sample_catalog(), campaign=generate_campaign)
            print(f"{n:>6} {rate:>7.0f} {r['seconds']:>8.1f} {r['rate']:>8.1f} {r['calls_max']:>9.1f} "
                  f"{r['rate'] / r['calls_max']:>7.2f} {r['ideal']:>6.1f} {r['rate'] / r['ideal']:>8.2f} "
                  f"{r['runner']:>6.1f} {r['rate'] / r['ideal_achieved']:>15.2f} "
                  f"{r['points']:>9.2f} {r['by_bulk']:>7} {r['operations']:>4} {r['duplicates']:>5} "
                  f"{r['missing']:>7} {r['import_mib']:>10.1f} {r['worker_mib']:>10.1f}", flush=True)  # fmt: skip
            print(f"       operations: {r['stages']}", flush=True)
            print(r["breakdown"], flush=True)


def ceilings(*, n: int, rate: float, start: float) -> tuple[float, float]:
    """(calls-only ceiling, ideal of both roads) in orders a second for N orders."""
    restore = PLANS[PLAN]
    calls = restore / ORDER_CREATE_COST
    burst = restore * 20 / ORDER_CREATE_COST  # a full bucket at the start: 200 orders at once
    t_calls = max(n - burst, 0) / calls
    # Both together: calls*T + burst + rate*(T - start) = N
    t_both = max((n - burst + rate * start) / (calls + rate), start)
    return n / t_calls, n / t_both


def one_run(*, n: int, rate: float, args, catalog, campaign) -> dict:
    from integrations.orders.models import BulkOperation, PushRecord
    from integrations.shops.models import Shop
    from shopapp.celery import app as celery_app

    Shop.objects.filter(domain=SHOP).delete()
    port = free_port()
    sim_url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "SHOPIFY_ORIGIN_TEMPLATE": f"{sim_url}/{{shop}}", "PUSH_LANES_PER_SHOP": str(args.lanes)}
    sim = ServedProcess(
        [sys.executable, "manage.py", "shopify_simulator", "--port", str(port), "--no-catalog",
         "--latency-ms", args.latency_ms],
        env=env, log_path=fresh_log("bench-bulk-simulator.log"), name="shopify-simulator",
    ).start()  # fmt: skip
    procs = [sim]
    try:
        sim.wait_http(f"{sim_url}/_simulator/state.json", timeout=180)
        control = SimulatorControl(sim_url, timeout=600)
        control.create_shop(SHOP, plan=PLAN, currency="USD")
        control.seed_products(SHOP, catalog)
        faults = {"fail_after_lines": n // 4} if args.fail_halfway else {}
        control.bulk(SHOP, lines_per_second=rate, start_delay_seconds=args.start_delay, **faults)
        token = control.mint_token(SHOP, kind="expiring")
        Shop.objects.create(domain=SHOP, name="Bench", currency="USD", access_token=token["access_token"],
                            refresh_token=token.get("refresh_token", ""),
                            scopes="read_products,write_orders,read_orders", push_road=Shop.PushRoad.AUTO)  # fmt: skip
        workers = [
            CeleryWorker(
                env,
                concurrency=args.concurrency,
                name=f"benchbulk{i}",
                beat=(i == 0),
                log_path=fresh_log(f"bench-bulk-worker-{i}.log"),
            )  # fmt: skip
            for i in range(args.workers)
        ]
        procs.extend(worker.start() for worker in workers)
        for worker in workers:
            worker.wait_ready(celery_app, timeout=60)
        skus = {v["sku"] for c in catalog for v in c["variants"]}
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "campaign.jsonl"
            with path.open("w") as handle:
                for order in campaign(backers=n, seed=n, id_prefix=f"bb{n}"):
                    for item in order["items"]:
                        item["sku"] = item["sku"] if item["sku"] in skus else "GAME-CORE"
                    handle.write(json.dumps(order) + "\n")
            started = time.monotonic()
            importer = subprocess.Popen(
                [sys.executable, "manage.py", "push_orders", SHOP, str(path), "--connection", "Bench Store",
                 "--timeout", "7200"],
                cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                stderr=open(ROOT / "artifacts" / "bench-bulk-import.log", "w"),
            )  # fmt: skip
            importer_hwm = 0
            while importer.poll() is None:
                importer_hwm = max(importer_hwm, vm_hwm_kib(importer.pid))
                time.sleep(0.5)
            seconds = time.monotonic() - started
            if importer.returncode != 0:
                raise RuntimeError((ROOT / "artifacts" / "bench-bulk-import.log").read_text()[-2000:])
        worker_hwm = max(vm_hwm_kib(w.process.pid) for w in workers)
        state = control.state()
        orders = control.orders(SHOP)
        created = Counter(o["source_identifier"] for o in orders)
        calls_max, ideal = ceilings(n=n, rate=rate, start=args.start_delay)
        # What the simulated runner achieved on this machine (its lines over its running time, as
        # the app measured them): with 2 shared cores it is slower than the rate asked of it.
        shop_row = Shop.objects.get(domain=SHOP)
        operations = BulkOperation.objects.filter(shop__domain=SHOP).order_by("id")
        runner = runner_achieved(list(operations)) or shop_row.bulk_lines_per_second or 0.0
        _, ideal_achieved = ceilings(n=n, rate=runner, start=shop_row.bulk_start_seconds or args.start_delay)
        stages = [f"{op.lines}:{op.shopify_status or op.stage}" for op in operations]
        breakdown = time_breakdown(operations=list(operations), load=os.getloadavg())
        return {
            "seconds": seconds,
            "rate": n / seconds,
            "calls_max": calls_max,
            "ideal": ideal,
            "runner": runner,
            "ideal_achieved": ideal_achieved,
            "points": state.get("cost_spent", 0) / max(len(orders), 1),
            "by_bulk": PushRecord.objects.filter(shop__domain=SHOP, road="bulk").count(),
            "operations": operations.count(),
            "stages": ", ".join(stages),
            "breakdown": breakdown,
            "duplicates": sum(c - 1 for c in created.values() if c > 1),
            "missing": n - PushRecord.objects.filter(shop__domain=SHOP, state="pushed").count(),
            "import_mib": importer_hwm / 1024,
            "worker_mib": worker_hwm / 1024,
        }
    finally:
        stop_all(procs)


def runner_achieved(operations: list) -> float:
    """The simulated runner's own rate over the run: its lines over the seconds its operations
    ran (seen running to seen ended; two running at once counted once)."""
    done = [op for op in operations if op.shopify_status == "COMPLETED" and op.finished_at and op.run_sent_at]
    spans = sorted((op.running_seen_at or op.run_sent_at, op.finished_at) for op in done)
    lines = sum(op.lines for op in done)
    busy, until = 0.0, None
    for start, end in spans:
        if until is not None and start < until:
            start = until
        if end > start:
            busy += (end - start).total_seconds()
        until = max(until or end, end)
    return lines / busy if busy else 0.0


def time_breakdown(*, operations: list, load: tuple[float, float, float]) -> str:
    """Where the run's time went, from the records and operations: when each road pushed its last
    order, and per operation (seconds from the first record's import) its claim, the time to
    prepare (map, upload, run), Shopify's start-up, the running time, the results' writing, and the
    gaps with no operation running while orders waited."""
    from django.db.models import Max, Min

    from integrations.orders.models import PushRecord

    records = PushRecord.objects.filter(shop__domain=SHOP)
    t0 = records.aggregate(t=Min("created_at"))["t"]
    if t0 is None:
        return "       (no records)"

    def at(moment) -> str:
        return f"{(moment - t0).total_seconds():.1f}" if moment else "-"

    calls_end = records.filter(road="").aggregate(t=Max("pushed_at"))["t"]
    bulk_end = records.filter(road="bulk").aggregate(t=Max("pushed_at"))["t"]
    lines = [f"       load {load[0]:.1f}/{load[1]:.1f}; last pushed by calls at {at(calls_end)} s, by bulk at "
             f"{at(bulk_end)} s"]  # fmt: skip
    busy_until = t0
    idle = 0.0
    for op in operations:
        prepare = (op.run_sent_at - op.created_at).total_seconds() if op.run_sent_at else None
        start = (op.running_seen_at - op.run_sent_at).total_seconds() if op.running_seen_at and op.run_sent_at else None
        end = op.finished_at
        run = (end - (op.running_seen_at or op.run_sent_at)).total_seconds() if end and op.run_sent_at else None
        if op.created_at > busy_until:
            idle += (op.created_at - busy_until).total_seconds() if op.id != operations[0].id else 0.0
        busy_until = max(busy_until, end or busy_until)
        rate = op.lines / run if run else 0.0
        lines.append(f"       op {op.id}: {op.lines} lines, claimed at {at(op.created_at)} s, "
                     f"prepare {prepare or 0:.1f} s, "
                     f"start {start or 0:.1f} s, running+results {run or 0:.1f} s ({rate:.1f} lines/s), ended at "
                     f"{at(end)} s {op.shopify_status or op.stage}")  # fmt: skip
    lines.append(f"       no operation running (after the first) for {idle:.1f} s")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--orders", type=int, nargs="+", default=[10000])
    parser.add_argument("--rates", type=float, nargs="+", default=[20.0, 50.0, 100.0])
    parser.add_argument("--latency-ms", default="100-300")
    parser.add_argument("--start-delay", type=float, default=2.0)
    parser.add_argument("--fail-halfway", action="store_true")
    parser.add_argument("--plan", choices=sorted(PLANS), default=PLAN)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--lanes", type=int, default=32)
    run(parser.parse_args())


if __name__ == "__main__":
    main()
