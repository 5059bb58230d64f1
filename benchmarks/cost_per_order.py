"""Benchmark: what each pushed order costs the app (CPU, database, Redis, bytes), against a bare loop.

    .venv/bin/python benchmarks/cost_per_order.py [--orders 5000] [--plan plus] [--latency-ms 150]
                                                  [--workers 4] [--concurrency 16] [--json]
    .venv/bin/python benchmarks/cost_per_order.py --orders 10000 50000 --no-bare-loop   (memory flat in N)

One run per N (each starts its own PostgreSQL and Redis; several N: one process each, in turn): run
it several times to see the spread.

N orders go through the real pipeline (``manage.py push_orders`` importing a JSON Lines file, Celery
workers with threads, PostgreSQL, Redis) into the Shopify simulator at the plan's limits, with
Shopify's latency. Then, in the same run, a bare loop sends exactly the same ``orderCreate``
variables (read back from the push records) with as many threads, paced by a local copy of the
plan's bucket, and nothing else: no database, no Redis, no retries beyond a throttled answer.

Printed per pushed order, for both:
- CPU time of the workers and of the importing process (utime + stime from /proc and wait4, not
  wall time), and of the bare loop's process;
- database statements, separated by process kind: the workers and the importer connect as their
  own PostgreSQL roles on a private cluster with pg_stat_statements (utility statements such as
  BEGIN and COMMIT counted: each statement is one round trip with psycopg);
- Redis commands (INFO commandstats of a private redis-server, broker traffic included);
- bytes of the Admin API requests the simulator received;
- orders/s against the plan's ceiling for N (burst, then the restore rate, over 10 points an order):
  for the command (the importer's start to its exit) and for the push alone (the first order stored
  to the last one pushed: the importer's start-up, about a second of Python and Django, left out as
  the bare loop's own start-up is), with the timeline between (first pushed, orders per second);
- peak memory (VmHWM) of the largest worker and of the importing process (its VmHWM read from /proc
  while it runs, not wait4's ru_maxrss: a child's ru_maxrss keeps the RSS of the parent it was forked
  from, here this script holding the N generated orders, so it grew with N whatever the importer
  did); with several N, the ratio of the largest N's peaks to the first's (flat in N: near 1).
The simulator sees one of each document the push sends before anything is timed (it parses and
validates a document the first time; the bare loop, run second, always met a warm one).
Not a test: it prints figures; nothing asserts. The private PostgreSQL and Redis are deleted afterwards.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.push import ENV as PUSH_ENV  # noqa: E402
from benchmarks.push import ORDER_CREATE_COST, PLANS  # noqa: E402
from harness.celery_processes import CeleryWorker  # noqa: E402
from harness.postgres_cluster import PostgresCluster  # noqa: E402
from harness.redis_server import RedisServer  # noqa: E402
from harness.served_process import ServedProcess, stop_all  # noqa: E402
from harness.simulator_control import SimulatorControl  # noqa: E402
from harness.waiting import free_port  # noqa: E402

SHOP = "cost-store.myshopify.com"
ROLES = ("bench_import", "bench_worker")
TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """utime + stime of a live process, all its threads included."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def vm_hwm_mib(pid: int) -> float:
    """Peak resident memory of a live process so far."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


class PeakWatch:
    """The VmHWM of a live process, read every 0.2 s until it exits (the peak is kept by the kernel,
    so the last reading is within 0.2 s of the end)."""

    def __init__(self, pid: int):
        self.pid, self.mib = pid, 0.0
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def start(self) -> "PeakWatch":
        self._thread.start()
        return self

    def _watch(self) -> None:
        while not self._done.wait(0.2):
            try:
                self.mib = max(self.mib, vm_hwm_mib(self.pid))
            except (FileNotFoundError, ProcessLookupError):  # exited (a zombie's status has no VmHWM: 0)
                return

    def stop(self) -> None:
        self._done.set()
        self._thread.join()


def fresh_log(name: str) -> Path:
    path = ROOT / "artifacts" / name
    path.unlink(missing_ok=True)
    return path


def role_url(cluster: PostgresCluster, role: str, database: str) -> str:
    return f"postgres://{role}@127.0.0.1:{cluster.port}/{database}"


def statements_by_role(cluster: PostgresCluster, database: str) -> dict[str, int]:
    import psycopg

    with psycopg.connect(cluster.url(database), autocommit=True) as conn:
        rows = conn.execute(
            "SELECT r.rolname, sum(s.calls) FROM pg_stat_statements s JOIN pg_roles r ON r.oid = s.userid "
            "JOIN pg_database d ON d.oid = s.dbid WHERE d.datname = %s GROUP BY r.rolname",
            [database],
        ).fetchall()
    return {name: int(calls) for name, calls in rows}


def reset_statements(cluster: PostgresCluster, database: str) -> None:
    import psycopg

    with psycopg.connect(cluster.url(database), autocommit=True) as conn:
        conn.execute("SELECT pg_stat_statements_reset()")


def redis_commands(url: str) -> dict[str, int]:
    """Calls so far, by command (INFO commandstats)."""
    import redis

    stats = redis.Redis.from_url(url).info("commandstats")
    return {name.removeprefix("cmdstat_"): int(v["calls"]) for name, v in stats.items()}


def campaign_file(*, n: int, directory: Path) -> Path:
    from integrations.backerkit.simulator.campaign import generate_campaign, sample_catalog

    known = {v["sku"] for product in sample_catalog() for v in product["variants"]}
    path = directory / "campaign.jsonl"
    with path.open("w") as handle:
        for order in generate_campaign(backers=n, seed=n, id_prefix=f"c{n}"):
            for item in order["items"]:
                item["sku"] = item["sku"] if item["sku"] in known else "GAME-CORE"
            handle.write(json.dumps(order) + "\n")
    return path


def plan_ceiling(*, n: int, plan: str) -> float:
    restore = PLANS[plan]
    t_min = max(n * ORDER_CREATE_COST - restore * 20, 0) / restore
    return n / t_min if t_min else float("inf")


def warm_simulator(*, sim_url: str, control) -> None:
    """One of each document the push sends, to a shop of its own, before anything is timed: the
    simulator parses and validates a document against the Admin schema the first time it sees it
    (half a second for the first lookup of a fresh simulator, while the lanes waited), which
    Shopify's warm servers do not make anyone wait for. The bare loop, run second, always had a warm
    simulator; now both do. The answers are not looked at (the order's variables are empty)."""
    import httpx

    from integrations.orders.documents import ORDER_CREATE, VARIANTS_BY_SKU

    domain = "warm-up-store.myshopify.com"
    control.create_shop(domain, plan="plus", currency="USD")
    token = control.mint_token(domain, kind="expiring")["access_token"]
    url = f"{sim_url}/{domain}/admin/api/2026-07/graphql.json"
    with httpx.Client(timeout=60, headers={"X-Shopify-Access-Token": token}) as http:
        http.post(url, json={"query": VARIANTS_BY_SKU, "variables": {"first": 2, "after": None, "query": "sku:X"}})
        http.post(url, json={"query": ORDER_CREATE, "variables": {}})


def pipeline(*, args, cluster, database, redis_url, sim_url, control, env) -> dict:
    """The real push: importer + workers. Returns its figures per pushed order."""
    from integrations.orders.models import PushRecord
    from integrations.shops.models import Shop
    from shopapp.celery import app as celery_app

    control.create_shop(SHOP, plan=args.plan, currency="USD")
    from integrations.backerkit.simulator.campaign import sample_catalog

    control.seed_products(SHOP, sample_catalog())
    token = control.mint_token(SHOP, kind="expiring")
    Shop.objects.create(domain=SHOP, name="Cost", currency="USD", access_token=token["access_token"],
                        refresh_token=token.get("refresh_token", ""),
                        scopes="read_products,write_orders,read_orders")  # fmt: skip
    worker_env = {**env, "DATABASE_URL": role_url(cluster, "bench_worker", database)}
    workers = [
        CeleryWorker(
            worker_env, concurrency=args.concurrency, name=f"cost{i}", log_path=fresh_log(f"cost-worker-{i}.log")
        )
        for i in range(args.workers)
    ]
    procs = [w.start() for w in workers]
    try:
        for worker in workers:
            worker.wait_ready(celery_app, timeout=60)
        with tempfile.TemporaryDirectory() as tmp:
            path = campaign_file(n=args.orders, directory=Path(tmp))
            reset_statements(cluster, database)
            redis_before = redis_commands(redis_url)
            counters_before = control.state()["counters"]
            bytes_before = counters_before.get("admin_api_request_bytes", 0)
            workers_before = sum(cpu_seconds(w.process.pid) for w in workers)
            started, wall_started = time.monotonic(), time.time()
            importer = subprocess.Popen(
                [sys.executable, "manage.py", "push_orders", SHOP, str(path), "--connection", "Cost Store"],
                cwd=ROOT, env={**env, "DATABASE_URL": role_url(cluster, "bench_import", database)},
                stdout=subprocess.DEVNULL, stderr=open(fresh_log("cost-import.log"), "w"),
            )  # fmt: skip
            importer_peak = PeakWatch(importer.pid).start()
            _, status, usage = os.wait4(importer.pid, 0)
            importer_peak.stop()
            seconds = time.monotonic() - started
            workers_cpu = sum(cpu_seconds(w.process.pid) for w in workers) - workers_before
            if os.waitstatus_to_exitcode(status) != 0:
                raise RuntimeError((ROOT / "artifacts" / "cost-import.log").read_text()[-2000:])
            importer.returncode = os.waitstatus_to_exitcode(status)
        statements = statements_by_role(cluster, database)
        redis_after = redis_commands(redis_url)
        redis_by_command = {k: v - redis_before.get(k, 0) for k, v in redis_after.items() if v - redis_before.get(k, 0)}
        redis_calls = sum(redis_by_command.values())
        counters_after = control.state()["counters"]
        sent_bytes = counters_after.get("admin_api_request_bytes", 0) - bytes_before
        throttled = counters_after.get("throttled", 0) - counters_before.get("throttled", 0)
        worker_peak = max(vm_hwm_mib(w.process.pid) for w in workers)
    finally:
        stop_all(procs)
    orders = control.orders(SHOP)
    created = Counter(o["source_identifier"] for o in orders)
    pushed = PushRecord.objects.filter(shop__domain=SHOP, state=PushRecord.State.PUSHED).count()
    per = max(pushed, 1)
    return {
        "timeline": timeline(shop=SHOP, since=wall_started),
        "pushed": pushed,
        "seconds": seconds,
        "rate": pushed / seconds,
        "worker_cpu_ms": workers_cpu * 1000 / per,
        "import_cpu_ms": (usage.ru_utime + usage.ru_stime) * 1000 / per,
        "worker_statements": statements.get("bench_worker", 0) / per,
        "import_statements": statements.get("bench_import", 0) / per,
        "redis_calls": redis_calls / per,
        "redis_by_command": dict(sorted(redis_by_command.items(), key=lambda kv: -kv[1])),
        "bytes": sent_bytes / per,
        "throttled": throttled,
        "duplicates": sum(c - 1 for c in created.values() if c > 1),
        "missing": args.orders - pushed,
        "worker_peak_mib": worker_peak,
        "import_peak_mib": importer_peak.mib,
    }


def timeline(*, shop: str, since: float) -> dict:
    """Seconds from the importer's start to the first record stored, the first order pushed and the
    last one (the push records' own timestamps), and the orders pushed in each second: where a
    push's time goes besides the steady pace (the importer's start-up, the lanes' start, the tail,
    the importer noticing the end). A Shopify bucket that sits full at the start loses its restore:
    every second of a slow start is a second more at the end."""
    from django.db.models import Max, Min

    from integrations.orders.models import PushRecord

    records = PushRecord.objects.filter(shop__domain=shop)
    marks = records.aggregate(stored=Min("created_at"), first_pushed=Min("pushed_at"), pushed=Max("pushed_at"))
    figures: dict = {name: round(at.timestamp() - since, 2) for name, at in marks.items() if at is not None}
    pushed_at = records.filter(pushed_at__isnull=False).values_list("pushed_at", flat=True)
    seconds = Counter(int(at.timestamp() - since) for at in pushed_at)
    figures["pushed_per_second"] = [seconds.get(i, 0) for i in range(max(seconds, default=-1) + 1)]
    return figures


def restore_seconds(plan: str) -> float:
    """How long the plan's bucket takes to refill from empty (20 seconds of restore)."""
    return 20.0


class LocalBucket:
    """The plan's leaky bucket, kept by the bare loop itself (one process, so one lock suffices)."""

    def __init__(self, *, capacity: float, restore: float):
        self.capacity, self.restore = capacity, restore
        self.available, self.at = capacity, time.monotonic()
        self.lock = threading.Lock()

    def take(self, cost: float) -> None:
        while True:
            with self.lock:
                now = time.monotonic()
                self.available = min(self.capacity, self.available + (now - self.at) * self.restore)
                self.at = now
                if self.available >= cost:
                    self.available -= cost
                    return
                wait = (cost - self.available) / self.restore
            time.sleep(wait)


def bare_loop(*, args, sim_url, control, variables: list[dict]) -> dict:
    """The same orderCreate variables, sent by threads paced by a local bucket: the baseline."""
    import resource

    import httpx

    from integrations.orders.documents import ORDER_CREATE

    # The same shop (the variant ids are its own), a token of its own, after the bucket refilled.
    token = control.mint_token(SHOP, kind="expiring")["access_token"]
    url = f"{sim_url}/{SHOP}/admin/api/2026-07/graphql.json"
    time.sleep(restore_seconds(args.plan))
    orders_before = len(control.orders(SHOP))
    restore = PLANS[args.plan]
    bucket = LocalBucket(capacity=restore * 20 * 0.95, restore=restore)
    queue = list(reversed(variables))
    lock = threading.Lock()
    throttled = [0]

    def send_all() -> None:
        with httpx.Client(timeout=30, headers={"X-Shopify-Access-Token": token}) as http:
            while True:
                with lock:
                    if not queue:
                        return
                    item = queue.pop()
                while True:
                    bucket.take(ORDER_CREATE_COST)
                    body = http.post(url, json={"query": ORDER_CREATE, "variables": item}).json()
                    if not any((e.get("extensions") or {}).get("code") == "THROTTLED" for e in body.get("errors", [])):
                        break
                    with lock:
                        throttled[0] += 1
                    time.sleep(1.0)

    bytes_before = control.state()["counters"].get("admin_api_request_bytes", 0)
    cpu_before = resource.getrusage(resource.RUSAGE_SELF)
    started = time.monotonic()
    threads = [threading.Thread(target=send_all) for _ in range(args.workers * args.concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.monotonic() - started
    cpu_after = resource.getrusage(resource.RUSAGE_SELF)
    sent_bytes = control.state()["counters"].get("admin_api_request_bytes", 0) - bytes_before
    created = len(control.orders(SHOP)) - orders_before
    cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime)
    per = max(created, 1)
    return {
        "pushed": created,
        "seconds": seconds,
        "rate": created / seconds,
        "cpu_ms": cpu * 1000 / per,
        "bytes": sent_bytes / per,
        "throttled": throttled[0],
    }


def one_run(*, args, run_index: int) -> tuple[dict, dict | None]:
    options = (
        "-c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.track_utility=on "
        "-c pg_stat_statements.max=10000"
    )
    cluster = PostgresCluster(options=options).init().start()
    redis_server = RedisServer().start()
    procs = []
    try:
        import psycopg

        database = "cost"
        cluster.create_database(database)
        with psycopg.connect(cluster.url(database), autocommit=True) as conn:
            conn.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
            for role in ROLES:
                conn.execute(f"CREATE ROLE {role} LOGIN SUPERUSER")
        env = {**os.environ, **PUSH_ENV, "DATABASE_URL": cluster.url(database), "REDIS_URL": redis_server.url}
        port = free_port()
        sim_url = f"http://127.0.0.1:{port}"
        env["SHOPIFY_ORIGIN_TEMPLATE"] = f"{sim_url}/{{shop}}"
        env["PUSH_LANES_PER_SHOP"] = str(args.lanes)
        os.environ.update(env)
        os.environ["DJANGO_SETTINGS_MODULE"] = "shopapp.settings"
        import django

        django.setup()
        from django.conf import settings
        from django.core.management import call_command
        from django.db import connections

        # django.setup() runs once per process: point it at this run's database and Redis.
        settings.DATABASES["default"].update(NAME=database, PORT=str(cluster.port), HOST="127.0.0.1")
        settings.REDIS_URL = redis_server.url
        connections.close_all()
        call_command("migrate", verbosity=0)
        sim = ServedProcess(
            [sys.executable, "manage.py", "shopify_simulator", "--port", str(port), "--no-catalog",
             "--latency-ms", args.latency_ms],
            env=env, log_path=fresh_log(f"cost-simulator-{run_index}.log"), name="shopify-simulator",
        ).start()  # fmt: skip
        procs.append(sim)
        sim.wait_http(f"{sim_url}/_simulator/state.json", timeout=180)  # a busy machine builds the schema slowly
        control = SimulatorControl(sim_url, timeout=600)
        warm_simulator(sim_url=sim_url, control=control)
        app = pipeline(args=args, cluster=cluster, database=database, redis_url=redis_server.url,
                       sim_url=sim_url, control=control, env=env)  # fmt: skip
        if args.no_bare_loop:
            connections.close_all()
            return app, None
        from integrations.orders.models import PushRecord

        variables = [
            r.sent_input
            for r in PushRecord.objects.filter(shop__domain=SHOP, state=PushRecord.State.PUSHED).order_by("id")
        ]
        bare = bare_loop(args=args, sim_url=sim_url, control=control, variables=variables)
        connections.close_all()
        return app, bare
    finally:
        stop_all(procs)
        redis_server.stop()
        cluster.destroy()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--orders", type=int, nargs="+", default=[5000], help="N; several: one run each")
    parser.add_argument("--plan", choices=sorted(PLANS), default="plus")
    parser.add_argument("--latency-ms", default="150")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--lanes", type=int, default=48)
    parser.add_argument("--no-bare-loop", action="store_true", help="the pipeline only (memory runs at large N)")
    parser.add_argument("--json", action="store_true", help="print each run's figures as one JSON line too")
    args = parser.parse_args()
    if len(args.orders) > 1:
        return several_n(args)
    args.orders = args.orders[0]
    (ROOT / "artifacts").mkdir(exist_ok=True)
    ceiling = plan_ceiling(n=args.orders, plan=args.plan)
    print(f"machine: {os.cpu_count()} cores; plan {args.plan} (ceiling {ceiling:.1f} orders/s for N={args.orders}); "
          f"latency {args.latency_ms} ms; {args.workers} workers x {args.concurrency} threads; "
          f"lanes {args.lanes}")  # fmt: skip
    header = (f"{'run':>3} {'what':<9} {'pushed':>6} {'orders/s':>8} {'ratio':>5} {'cpu ms':>7} {'worker':>7} "
              f"{'import':>7} {'db stmts':>8} {'worker':>6} {'import':>6} {'redis':>6} {'bytes':>6} "
              f"{'dup':>3} {'miss':>4} {'peak MiB worker/import':>22}")  # fmt: skip
    print(
        "per pushed order: cpu ms (workers + importer), database statements (workers + importer), "
        "Redis commands, bytes sent to Shopify"
    )
    print(header)
    for run in (1,):
        app, bare = one_run(args=args, run_index=run)
        cpu = app["worker_cpu_ms"] + app["import_cpu_ms"]
        stmts = app["worker_statements"] + app["import_statements"]
        print(f"{run:>3} {'pipeline':<9} {app['pushed']:>6} {app['rate']:>8.1f} {app['rate'] / ceiling:>5.2f} "
              f"{cpu:>7.2f} {app['worker_cpu_ms']:>7.2f} {app['import_cpu_ms']:>7.2f} {stmts:>8.2f} "
              f"{app['worker_statements']:>6.2f} {app['import_statements']:>6.2f} {app['redis_calls']:>6.2f} "
              f"{app['bytes']:>6.0f} {app['duplicates']:>3} {app['missing']:>4} "
              f"{app['worker_peak_mib']:>14.0f} / {app['import_peak_mib']:>5.0f}", flush=True)  # fmt: skip
        marks = app["timeline"]
        push_seconds = marks.get("pushed", 0) - marks.get("stored", 0)
        if push_seconds > 0:
            print(f"    the push alone (first order stored to last pushed, the importer's start-up left out, as the "
                  f"bare loop's is): {push_seconds:.2f} s, {app['pushed'] / push_seconds:.1f} orders/s, "
                  f"{app['pushed'] / push_seconds / ceiling:.2f} of the ceiling", flush=True)  # fmt: skip
        print(f"    timeline (s from the importer's start): first stored {marks.get('stored', 0):.2f}, "
              f"first pushed {marks.get('first_pushed', 0):.2f}, last pushed {marks.get('pushed', 0):.2f}, "
              f"importer done {app['seconds']:.2f}; throttled answers {app['throttled']}", flush=True)  # fmt: skip
        if bare is None:
            if args.json:
                print(json.dumps({"run": run, "orders": args.orders, "pipeline": app, "ceiling": ceiling}))
            continue
        print(f"{run:>3} {'bare loop':<9} {bare['pushed']:>6} {bare['rate']:>8.1f} {bare['rate'] / ceiling:>5.2f} "
              f"{bare['cpu_ms']:>7.2f} {'-':>7} {'-':>7} {0:>8.2f} {'-':>6} {'-':>6} {0:>6.2f} {bare['bytes']:>6.0f} "
              f"{'-':>3} {'-':>4}")  # fmt: skip
        print(f"{run:>3} {'ratio':<9} {'':>6} {app['rate'] / max(bare['rate'], 1e-9):>8.2f} {'':>5} "
              f"{cpu / max(bare['cpu_ms'], 1e-9):>6.1f}x {'':>7} {'':>7} {'':>8} {'':>6} {'':>6} {'':>6} "
              f"{app['bytes'] / max(bare['bytes'], 1):>5.2f}x", flush=True)  # fmt: skip
        if args.json:
            print(json.dumps({"run": run, "orders": args.orders, "pipeline": app, "bare_loop": bare,
                              "ceiling": ceiling}))  # fmt: skip


def several_n(args) -> None:
    """One process per N (django.setup(), the Celery app and the clients are set once per process),
    then the peak memory of the largest N against the first's."""
    peaks = []
    for n in args.orders:
        argv = [sys.executable, __file__, "--orders", str(n), "--plan", args.plan, "--latency-ms", args.latency_ms,
                "--workers", str(args.workers), "--concurrency", str(args.concurrency), "--lanes", str(args.lanes),
                "--json", *(["--no-bare-loop"] if args.no_bare_loop else [])]  # fmt: skip
        done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, check=False)
        for line in done.stdout.splitlines():
            if line.startswith("{"):
                figures = json.loads(line)["pipeline"]
                peaks.append((n, figures["worker_peak_mib"], figures["import_peak_mib"]))
                if args.json:
                    print(line)
            else:
                print(line, flush=True)
        if done.returncode:
            raise SystemExit(done.stderr[-3000:])
    (first, w0, i0), (last, w1, i1) = peaks[0], peaks[-1]
    print(f"peak memory, N={last} against N={first}: workers {w1:.0f} / {w0:.0f} MiB ({w1 / w0:.2f}x), "
          f"importer {i1:.0f} / {i0:.0f} MiB ({i1 / i0:.2f}x)")  # fmt: skip


if __name__ == "__main__":
    main()
