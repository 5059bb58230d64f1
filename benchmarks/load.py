"""Benchmark: the embedded pages and the webhook endpoint under concurrent requests, served by gunicorn.

    .venv/bin/python benchmarks/load.py [--records 5000] [--clients 16] [--duration 20] [--workers 2]

Not a test: it prints figures. The real app runs as in production: the Procfile's ``web`` command
(gunicorn, sync workers) on a free loopback port with ``DEBUG=0``, collected static files, its own
PostgreSQL database ``backerkit_load`` (dropped, created and migrated at every run) and Redis db 11
(flushed at start). One connected shop is seeded with a campaign mid-push (benchmarks/seeding.py:
80% pushed, 8% needs attention, 2% failed, 10% waiting). Then, scenario after scenario, ``--clients``
threads (httpx, one connection pool each) send requests back to back for ``--duration`` seconds,
after a short warm-up that is not counted:

- the embedded pages as the admin loads them (``?shop&host&id_token`` with a fresh App Bridge id
  token per request: HS256, signed with the app secret): Home, Orders, Orders filtered by state,
  Orders searched (backer id, BackerKit order id or Shopify order name), one order's detail (any of
  the shop's orders), Settings; and the Orders page's progress poll (``Authorization: Bearer``);
- ``POST /webhooks`` as Shopify delivers (base64 HMAC-SHA256 of the raw body, a new webhook id per
  delivery; ``app/scopes_update`` and ``customers/data_request``, both recorded and handed to a
  Celery task, which waits in Redis: no worker runs), with a share of deliveries signed with
  another secret, which must be refused with 401.

Per scenario: requests, requests/s, p50/p95/p99 latency in ms (measured by the client, from sending
to the last byte of the answer) and errors: answers other than the expected one (200; 401 for the
bad signatures) and exceptions (timeouts, refused connections). The load generator runs on the
same machine as gunicorn, PostgreSQL and Redis and takes its share of the cores; ``others`` is the
share of the machine's CPU that other processes used meanwhile (figures taken with it well above
0% are skewed by someone else's work).

With ``--pulls``, one more scenario: the webhooks again while ``--pull-shops`` shops (default 5)
pull ``--pull-orders`` locked orders each (default 20,000) from the BackerKit simulator (its own
process), the pulls running in a Celery worker (its own process, threads, one per shop, on a queue
of its own so that it leaves the webhooks' tasks waiting in Redis) and importing into the same
PostgreSQL as gunicorn. It reports the webhooks' latency during the pulls and how many orders the
pulls took in meanwhile (and at what rate). ``--pulls-only`` runs just that scenario.

Exits with status 1 when a scenario's error rate is above ``--max-error-rate`` (default 1%).
"""

import argparse
import base64
import json
import os
import random
import statistics
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode, urlparse

import httpx
import psycopg
import redis
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.push import ENV as PUSH_ENV  # noqa: E402
from harness.celery_processes import CeleryWorker  # noqa: E402
from harness.served_process import ServedProcess  # noqa: E402
from harness.waiting import free_port, wait_for  # noqa: E402

SHOP = "load-store.myshopify.com"
HOST = base64.b64encode(b"admin.shopify.com/store/load-store").decode().rstrip("=")
ENV = {
    **PUSH_ENV,
    "DATABASE_URL": os.environ.get("LOAD_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/backerkit_load"),
    "REDIS_URL": os.environ.get("LOAD_REDIS_URL", "redis://127.0.0.1:6379/11"),
}
PULL_QUEUE = "load-pulls"  # the pull worker consumes only this queue: the webhooks' tasks stay queued
PULL_KEY = "bk_load_key_0123456789"  # the simulator's key for the load projects, not a credential
WEBHOOK_TOPICS = ("app/scopes_update", "customers/data_request")
STATE_FILTERS = ("needs_attention", "failed", "pending", "pushed")


@dataclass(frozen=True)
class Request:
    method: str
    url: str
    headers: dict[str, str]
    content: bytes | None
    expected: int


@dataclass
class Outcome:
    name: str
    requests: int
    seconds: float
    latencies_ms: list[float]
    unexpected: Counter  # status code or exception name -> count
    expected_refusals: int  # bad-HMAC webhooks answered 401, as they must be
    others_cpu: float  # share of the machine's CPU used by processes outside the benchmark

    @property
    def errors(self) -> int:
        return sum(self.unexpected.values())

    def percentile(self, q: int) -> float:
        if len(self.latencies_ms) < 2:
            return self.latencies_ms[0] if self.latencies_ms else float("nan")
        return statistics.quantiles(self.latencies_ms, n=100, method="inclusive")[q - 1]


# --- requests ------------------------------------------------------------------------------------


def page(path: str | Callable[[random.Random], str], params: Callable | None = None) -> Callable:
    """A page load from the admin: the query the admin adds, and a fresh id token."""
    from tests.support.id_tokens import id_token

    def make(rng: random.Random) -> Request:
        url = path(rng) if callable(path) else path
        query = {"shop": SHOP, "host": HOST, **(params(rng) if params else {}), "id_token": id_token(SHOP)}
        return Request("GET", f"{url}?{urlencode(query)}", {}, None, 200)

    return make


def fetch(path: str) -> Callable:
    """A fetch from an embedded page (static/shopapp/session.js): ``Authorization: Bearer``."""
    from tests.support.id_tokens import bearer

    def make(rng: random.Random) -> Request:
        return Request("GET", path, bearer(SHOP), None, 200)

    return make


def webhook(*, bad_share: float) -> Callable:
    """A delivery as Shopify sends it (integrations/shopify/simulator/webhooks.py); ``bad_share`` of
    them signed with a secret that is not the app's."""
    from django.conf import settings

    from integrations.shopify.simulator.webhooks import sign

    def make(rng: random.Random) -> Request:
        topic = rng.choice(WEBHOOK_TOPICS)
        if topic == "app/scopes_update":
            payload = {
                "id": 1,
                "previous": ["read_products", "write_orders"],
                "current": ["read_products", "write_orders", "read_orders"],
                "updated_at": datetime.now(UTC).isoformat(),
            }
        else:
            n = rng.randrange(1_000_000)
            payload = {
                "shop_id": 1,
                "shop_domain": SHOP,
                "orders_requested": [n + 1],
                "customer": {"id": n, "email": f"backer{n}@example.com", "phone": None},
                "data_request": {"id": n},
            }
        body = json.dumps(payload, separators=(",", ":")).encode()
        bad = rng.random() < bad_share
        headers = {
            "Content-Type": "application/json",
            "X-Shopify-Topic": topic,
            "X-Shopify-Hmac-Sha256": sign(body, "not-the-app-secret" if bad else settings.SHOPIFY_API_SECRET),
            "X-Shopify-Shop-Domain": SHOP,
            "X-Shopify-API-Version": settings.SHOPIFY_API_VERSION,
            "X-Shopify-Webhook-Id": str(uuid.uuid4()),
            "X-Shopify-Event-Id": str(uuid.uuid4()),
            "X-Shopify-Triggered-At": datetime.now(UTC).isoformat(),
        }
        return Request("POST", "/webhooks", headers, body, 401 if bad else 200)

    return make


def scenarios(*, records: int, record_ids: list[int], bad_share: float) -> list[tuple[str, Callable]]:
    def search(rng: random.Random) -> dict[str, str]:
        n = rng.randrange(records)
        return {"q": rng.choice([f"{100000 + n}", f"bk-{n:07d}", f"#{1001 + n}"])}

    return [
        ("home", page("/")),
        ("orders", page("/orders/")),
        ("orders, state filter", page("/orders/", lambda rng: {"state": rng.choice(STATE_FILTERS)})),
        ("orders, search", page("/orders/", search)),
        ("order detail", page(lambda rng: f"/orders/{rng.choice(record_ids)}/")),
        ("settings", page("/settings/")),
        ("orders progress (fetch)", fetch("/orders/progress")),
        (f"webhooks ({bad_share:.0%} bad HMAC)", webhook(bad_share=bad_share)),
    ]


# --- load ----------------------------------------------------------------------------------------


def client_loop(base_url: str, make: Callable, *, deadline: float, seed: int, results: list) -> None:
    rng = random.Random(seed)
    with httpx.Client(base_url=base_url, timeout=30, follow_redirects=False) as client:
        while time.perf_counter() < deadline:
            request = make(rng)  # minting and signing are not timed
            started = time.perf_counter()
            try:
                answer = client.request(request.method, request.url, headers=request.headers, content=request.content)
                outcome: int | str = answer.status_code
            except httpx.HTTPError as exc:
                outcome = type(exc).__name__
            results.append(((time.perf_counter() - started) * 1000, outcome, request.expected))


def cpu_sample(*, server_pid: int) -> tuple[float, int, dict[int, int]]:
    """(time, busy jiffies of the machine, busy jiffies of each of the benchmark's processes: this
    one, gunicorn's, PostgreSQL's and Redis's). Other sessions' work on the machine skews every
    figure; the difference says how much of it there was."""
    cpu = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    busy = sum(cpu) - cpu[3] - cpu[4]  # all but idle and iowait
    ours: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # gone meanwhile
        comm, fields = stat[stat.index("(") + 1 : stat.rindex(")")], stat[stat.rindex(")") + 2 :].split()
        pid, ppid = int(entry.name), int(fields[1])
        if pid in (os.getpid(), server_pid) or ppid == server_pid or comm in ("postgres", "redis-server"):
            ours[pid] = int(fields[11]) + int(fields[12])  # utime + stime
    return time.monotonic(), busy, ours


def others_share(before: tuple[float, int, dict[int, int]], after: tuple[float, int, dict[int, int]]) -> float:
    """A process of ours that was not there for the whole scenario counts as someone else's."""
    ours = sum(after[2][pid] - jiffies for pid, jiffies in before[2].items() if pid in after[2])
    capacity = (after[0] - before[0]) * os.sysconf("SC_CLK_TCK") * (os.cpu_count() or 1)
    return max(after[1] - before[1] - ours, 0) / capacity


def drive(name: str, base_url: str, make: Callable, *, clients: int, seconds: float, server_pid: int) -> Outcome:
    results: list[tuple[float, int | str, int]] = []
    cpu_before = cpu_sample(server_pid=server_pid)
    started = time.perf_counter()
    threads = [
        threading.Thread(
            target=client_loop,
            args=(base_url, make),
            kwargs={"deadline": started + seconds, "seed": i, "results": results},
            daemon=True,
        )
        for i in range(clients)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    unexpected = Counter(outcome for _, outcome, expected in results if outcome != expected)
    refusals = sum(1 for _, outcome, expected in results if outcome == expected == 401)
    others = others_share(cpu_before, cpu_sample(server_pid=server_pid))
    return Outcome(name, len(results), elapsed, [ms for ms, _, _ in results], unexpected, refusals, others)


# --- setup ---------------------------------------------------------------------------------------


def recreate_database(url: str) -> None:
    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    with psycopg.connect(parsed._replace(path="/postgres").geturl(), autocommit=True, connect_timeout=5) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def prepare(*, records: int) -> list[int]:
    """A fresh database and Redis db, static files collected, the shop seeded: its record ids."""
    recreate_database(ENV["DATABASE_URL"])
    redis.Redis.from_url(ENV["REDIS_URL"]).flushdb()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from benchmarks.seeding import seed_shop
    from integrations.orders.models import PushRecord

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)  # the build step of a deploy
    shop = seed_shop(shop_domain=SHOP, count=records)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    ids = list(PushRecord.objects.filter(shop=shop).values_list("id", flat=True))
    connection.close()
    return ids


def start_gunicorn(*, port: int, workers: int, threads: int, log: Path) -> ServedProcess:
    """The Procfile's ``web`` command, bound to loopback."""
    argv = [sys.executable, "-m", "gunicorn", "shopapp.wsgi", "--bind", f"127.0.0.1:{port}",
            "--workers", str(workers), "--threads", str(threads), "--access-logfile", "-"]  # fmt: skip
    log.unlink(missing_ok=True)
    env = {**os.environ, "APP_URL": f"http://127.0.0.1:{port}"}
    return ServedProcess(argv, env=env, log_path=log, name="gunicorn").start()


# --- pulls while webhooks arrive --------------------------------------------------------------


class _PullWorker(CeleryWorker):
    """A Celery worker (threads) consuming only the pulls' queue."""

    def command(self) -> list[str]:
        return [*super().command(), "--queues", PULL_QUEUE]


@dataclass
class Pulls:
    shops: int
    orders_each: int
    connection_ids: list[int]
    backerkit: ServedProcess
    worker: _PullWorker

    def pulled(self) -> int:
        from integrations.orders.models import PushRecord

        return PushRecord.objects.filter(connection_id__in=self.connection_ids).count()

    def stop(self) -> None:
        for process in (self.worker, self.backerkit):
            process.stop(timeout=30)


def start_pulls(*, shops: int, orders_each: int, log_dir: Path) -> Pulls:
    """The BackerKit simulator (its own process) holding ``shops`` projects of ``orders_each`` locked
    orders, a connected shop per project (auto-push off: the pull imports, nothing reaches Shopify)
    and a worker for the pulls, ready; nothing pulled yet."""
    from integrations.backerkit.simulator.campaign import generate_campaign
    from integrations.orders.models import BackerKitConnection
    from integrations.shops.models import Shop
    from tests.support.push_records import plain_shop

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    backerkit = ServedProcess([sys.executable, "manage.py", "backerkit_simulator", "--port", str(port)],
                              env=dict(os.environ), log_path=log_dir / "load-backerkit.log",
                              name="backerkit-simulator").start()  # fmt: skip
    backerkit.wait_http(f"{url}/_simulator/state.json", timeout=60)
    campaign = generate_campaign(backers=orders_each, seed=13, id_prefix="pull")
    connection_ids = []
    with httpx.Client(base_url=url, timeout=300) as control:
        for n in range(1, shops + 1):
            project = f"load-pull-{n}"
            control.post("/_simulator/projects", json={"id": project, "api_key": PULL_KEY}).raise_for_status()
            orders = [{**order, "id": f"s{n}-{order['id']}"} for order in campaign]
            control.post(f"/_simulator/projects/{project}/orders", json={"orders": orders}).raise_for_status()
            shop = plain_shop(f"load-pull-{n}.myshopify.com")
            Shop.objects.filter(id=shop.id).update(auto_push=False, currency="USD")
            connection = BackerKitConnection.objects.create(
                shop=shop, kind=BackerKitConnection.Kind.API, store_name="Pulled Store", project=project,
                api_key=PULL_KEY, currency="USD",
            )  # fmt: skip
            connection_ids.append(connection.id)
    env = {**os.environ, "BACKERKIT_API_URL": url}
    worker = _PullWorker(env, concurrency=shops, name="load-pulls", log_path=log_dir / "load-pull-worker.log").start()
    from shopapp.celery import app

    worker.wait_ready(app, timeout=90)
    return Pulls(shops, orders_each, connection_ids, backerkit, worker)


def webhooks_during_pulls(
    pulls: Pulls, base_url: str, make: Callable, *, clients: int, seconds: float, server_pid: int
) -> tuple[Outcome, str]:
    """The webhook scenario for ``seconds`` once every pull is under way; what the pulls did meanwhile."""
    from django.db import connection

    from integrations.orders.models import ImportRun
    from shopapp.celery import app

    for connection_id in pulls.connection_ids:
        app.send_task("orders.pull_connection", args=[connection_id], queue=PULL_QUEUE)

    def under_way() -> bool:
        runs = ImportRun.objects.filter(connection_id__in=pulls.connection_ids)
        return runs.values("connection_id").distinct().count() == pulls.shops

    wait_for(under_way, timeout=120, what="every pull to be under way", interval=0.5)
    before = pulls.pulled()
    outcome = drive(f"webhooks, {pulls.shops} shops pulling", base_url, make, clients=clients, seconds=seconds,
                    server_pid=server_pid)  # fmt: skip
    during = pulls.pulled() - before
    total = pulls.shops * pulls.orders_each
    connection.close()
    note = (f"pulls: {pulls.shops} shops x {pulls.orders_each:,} locked orders (BackerKit simulator, pages of "
            f"100) in 1 Celery worker x {pulls.shops} threads; {during:,} orders pulled and imported during the "
            f"{outcome.seconds:.0f} s of webhooks ({during / outcome.seconds:.0f} orders/s), "
            f"{pulls.pulled():,} of {total:,} by its end")  # fmt: skip
    return outcome, note


HEADER = (
    f"{'scenario':28} {'requests':>8} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'errors':>6} "
    f"{'others':>6}"
)


def row(o: Outcome) -> str:
    return (
        f"{o.name:28} {o.requests:>8} {o.requests / o.seconds:>7.1f} {o.percentile(50):>7.1f} "
        f"{o.percentile(95):>7.1f} {o.percentile(99):>7.1f} {o.errors:>6} {o.others_cpu:>6.0%}"
    )


def summarize(outcomes: list[Outcome], *, max_error_rate: float) -> int:
    """The webhooks' bookkeeping, the unexpected answers; the exit status."""
    from shopapp.models import WebhookDelivery

    for o in outcomes:
        if o.name.startswith("webhooks"):
            queued = redis.Redis.from_url(ENV["REDIS_URL"]).llen("celery")
            print(f"{o.name}: {o.requests - o.errors - o.expected_refusals} accepted (200), {o.expected_refusals} "
                  f"refused (401, bad HMAC: expected); with the warm-up, {WebhookDelivery.objects.count()} "
                  f"deliveries recorded, {queued} process_webhook tasks waiting in Redis")  # fmt: skip
    failing = [o for o in outcomes if o.requests and o.errors / o.requests > max_error_rate]
    for o in outcomes:
        if o.unexpected:
            print(f"{o.name}: unexpected answers {dict(o.unexpected)}")
    if failing:
        print(f"error rate above {max_error_rate:.1%} in: {', '.join(o.name for o in failing)}")
        return 1
    print(f"error rate at most {max_error_rate:.1%} in every scenario")
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=5000, help="push records of the seeded shop")
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients (threads)")
    parser.add_argument("--duration", type=float, default=20, help="seconds per scenario")
    parser.add_argument("--warmup", type=float, default=2, help="seconds per scenario, not counted")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=1, help="gunicorn threads per worker (1: sync workers)")
    parser.add_argument("--bad-hmac-share", type=float, default=0.1, help="share of webhooks signed wrongly")
    parser.add_argument("--max-error-rate", type=float, default=0.01, help="exit 1 above it, in any scenario")
    parser.add_argument("--only", nargs="*", default=[], help="run only scenarios whose name starts so")
    parser.add_argument("--pulls", action="store_true", help="also: webhooks while shops pull from BackerKit")
    parser.add_argument("--pulls-only", action="store_true", help="only the webhooks-during-pulls scenario")
    parser.add_argument("--pull-shops", type=int, default=5, help="shops pulling at once")
    parser.add_argument("--pull-orders", type=int, default=20_000, help="locked orders each shop pulls")
    parser.add_argument("--pull-duration", type=float, default=None, help="seconds of webhooks during the pulls "
                        "(default: --duration)")  # fmt: skip
    args = parser.parse_args()
    if args.pulls_only:
        args.pulls, args.only = True, ["(none)"]

    os.environ.update(ENV)
    os.environ["DJANGO_SETTINGS_MODULE"] = "shopapp.settings"
    (ROOT / "artifacts").mkdir(exist_ok=True)
    load_before = os.getloadavg()[0]  # another process busy on the machine skews every figure
    started = time.perf_counter()
    record_ids = prepare(records=args.records)
    print(f"seeded 1 shop with {args.records:,} push records in {time.perf_counter() - started:.1f} s")
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    log = ROOT / "artifacts" / "load-gunicorn.log"
    server = start_gunicorn(port=port, workers=args.workers, threads=args.threads, log=log)
    kind = "sync" if args.threads == 1 else f"gthread x {args.threads} threads"
    print(f"machine: {os.cpu_count()} cores, shared by gunicorn, PostgreSQL, Redis and this load generator; "
          f"load average before the run {load_before:.2f}")  # fmt: skip
    database, redis_db = urlparse(ENV["DATABASE_URL"]).path.lstrip("/"), urlparse(ENV["REDIS_URL"]).path.lstrip("/")
    print(f"server: gunicorn {args.workers} workers ({kind}), DEBUG=0, PostgreSQL {database}, Redis db {redis_db}; "
          f"log {log.relative_to(ROOT)}")  # fmt: skip
    print(f"client: {args.clients} concurrent clients (threads, httpx), {args.duration:g} s per scenario "
          f"after {args.warmup:g} s of warm-up; errors = unexpected status or exception")  # fmt: skip
    print("others = the machine's CPU used meanwhile by processes other than the benchmark's (this one, "
          "gunicorn, PostgreSQL, Redis): well above 0%, the figures are skewed")  # fmt: skip
    outcomes: list[Outcome] = []
    notes: list[str] = []
    pulls: Pulls | None = None
    try:
        server.wait_http(f"{base_url}/healthz")
        print(f"\n{HEADER}")
        for name, make in scenarios(records=args.records, record_ids=record_ids, bad_share=args.bad_hmac_share):
            if args.only and not any(name.startswith(prefix) for prefix in args.only):
                continue
            server_pid = server.process.pid
            drive(name, base_url, make, clients=args.clients, seconds=args.warmup, server_pid=server_pid)
            outcomes.append(
                drive(name, base_url, make, clients=args.clients, seconds=args.duration, server_pid=server_pid)
            )
            print(row(outcomes[-1]), flush=True)
        if args.pulls:
            pulls = start_pulls(shops=args.pull_shops, orders_each=args.pull_orders, log_dir=ROOT / "artifacts")
            make = webhook(bad_share=args.bad_hmac_share)
            drive("warm-up", base_url, make, clients=args.clients, seconds=args.warmup, server_pid=server.process.pid)
            outcome, note = webhooks_during_pulls(pulls, base_url, make, clients=args.clients,
                                                  seconds=args.pull_duration or args.duration,
                                                  server_pid=server.process.pid)  # fmt: skip
            outcomes.append(outcome)
            notes.append(note)
            print(row(outcome), flush=True)
    finally:
        if pulls is not None:
            pulls.stop()
        server.stop(timeout=30)
    for note in notes:
        print(note)
    sys.exit(summarize(outcomes, max_error_rate=args.max_error_rate))


if __name__ == "__main__":
    main()
