"""Benchmark: from a fulfilment in Shopify to BackerKit's acknowledgement, and what the reconciliation
costs in Shopify points per order.

    .venv/bin/python benchmarks/shipments.py [--orders 1000] [--period 120] [--workers 2]
        [--down-seconds S] [--json]

The issue's figure is 5,000 orders fulfilled over 10 minutes; on a 2-core machine shared with other
work the default is scaled down to 1,000 over 2 minutes (the same rate, 8.3 fulfilments a second);
``--orders 5000 --period 600`` runs the issue's.

The real processes of a drill (drills/stack.py: gunicorn, Celery workers with threads and beat,
PostgreSQL and Redis of their own, the Shopify and BackerKit simulators as their own processes):
a campaign of N orders is pulled from the BackerKit simulator and pushed; then N fulfilments are
made in the Shopify simulator at an even pace over the period (its control endpoint, which sends
the signed ``fulfillments/create`` webhook to gunicorn). The latency of each is the BackerKit
simulator's acknowledgement time minus the moment the fulfilment was asked for (one machine, one
clock). Baseline, in the same run: the same shipment bodies PUT straight to the BackerKit simulator
from this process (what the transport alone costs, with no webhook, outbox or task).

``--down-seconds S``: BackerKit is down (every API request 503) for S seconds in the middle of the
period while the warehouse keeps shipping; the outbox pauses and probes. Printed: the requests that
reached BackerKit while it was down (all, and the shipment writes), the time from "up" to the last
acknowledgement of a shipment made while it was down (and of any shipment), and the duplicates
(a fulfilment created twice at BackerKit: must be 0).

Then one reconciliation run reads the period again (everything already recorded: the cheap scan
alone), and one more after every webhook of a further N/10 fulfilments was dropped (the scan plus
the details of what was missed): Shopify points spent per order read, as the simulator charged them.
Not a test: it prints figures; nothing asserts.
"""

import argparse
import json
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from drills.run import LOGS, _prepare  # noqa: E402
from harness.postgres_cluster import PostgresCluster  # noqa: E402
from harness.redis_server import RedisServer  # noqa: E402

SHOP = "bench-shipments.myshopify.com"


def percentiles(values: list[float]) -> dict[str, float]:
    if not values:
        return {"p50": 0.0, "p95": 0.0, "p99": 0.0, "max": 0.0}
    ordered = sorted(values)

    def at(q: float) -> float:
        return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]

    return {"p50": at(0.50), "p95": at(0.95), "p99": at(0.99), "max": ordered[-1]}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--orders", type=int, default=1000)
    parser.add_argument("--period", type=float, default=120.0, help="seconds over which the orders are fulfilled")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--down-seconds", type=float, default=0.0,
                        help="BackerKit down for this long in the middle of the period")  # fmt: skip
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    postgres, redis_server = PostgresCluster(), RedisServer()
    LOGS.mkdir(parents=True, exist_ok=True)
    stack = None
    try:
        postgres.init().start()
        redis_server.start()
        _prepare(postgres, redis_server)
        figures, stack = run(postgres, redis_server, args)
    finally:
        if stack is not None:
            stack.stop()
        try:
            redis_server.stop()
        finally:
            postgres.destroy(keep_log=LOGS / "bench-shipments-postgres.log")
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        print_figures(figures)
    return 0


def run(postgres, redis_server, args):
    import httpx
    from django.conf import settings

    from drills.pushing import wait_settled
    from drills.shops import open_shop
    from drills.stack import BACKERKIT_KEY, BACKERKIT_PROJECT, Services, Stack, StackOptions
    from harness.waiting import wait_for
    from integrations.backerkit.client import BackerKitClient
    from integrations.backerkit.simulator.campaign import generate_campaign
    from integrations.orders.models import BackerKitConnection, FulfilmentSync, PushRecord, ShipmentEvent
    from shopapp.celery import app

    services = Services(postgres=postgres, redis=redis_server, logs=LOGS)
    options = StackOptions(workers=args.workers, concurrency=8, backerkit=True,
                           env=(("FULFILMENT_RECONCILE_INTERVAL_SECONDS", "86400"),))  # fmt: skip
    stack = Stack(services, name="bench-shipments", options=options).start()
    shop = open_shop(stack, SHOP, scopes=settings.SHOPIFY_SCOPES)
    orders = generate_campaign(backers=args.orders + args.orders // 10, seed=31, id_prefix="bship")
    bk = httpx.Client(base_url=stack.backerkit_url, timeout=120)
    bk.post(f"/_simulator/projects/{BACKERKIT_PROJECT}/orders", json={"orders": orders}).raise_for_status()
    connection = BackerKitConnection.objects.create(shop=shop, store_name="Skyforge Store", project=BACKERKIT_PROJECT,
                                                    api_key=BACKERKIT_KEY, currency="USD")  # fmt: skip
    app.send_task("orders.pull_connection", args=[connection.id])
    push_started = time.monotonic()
    wait_settled(stack, shop, records=len(orders), timeout=1800)
    push_seconds = time.monotonic() - push_started
    records = list(PushRecord.objects.filter(shop=shop, state=PushRecord.State.PUSHED)
                   .order_by("id").values_list("backerkit_order_id", "shopify_order_id"))  # fmt: skip
    timed, later = records[: args.orders], records[args.orders :]
    FulfilmentSync.objects.update_or_create(shop=shop, defaults={"synced_until": None})
    period_started_wall = time.time()

    asked: dict[str, float] = {}  # fulfilment id -> wall time the fulfilment was asked for
    interval = args.period / max(len(timed), 1)
    start = time.monotonic()
    outage = Outage(bk, start=start + max(args.period - args.down_seconds, 0) / 2, seconds=args.down_seconds)
    for n, (_order_id, gid) in enumerate(timed):
        outage.tick()
        due = start + n * interval
        pause = due - time.monotonic()
        if pause > 0:
            time.sleep(pause)  # the pace of the warehouse, not a wait for a result
        at = time.time()
        answer = stack.sim.fulfil(SHOP, gid.rsplit("/", 1)[1], tracking=[{"number": f"1ZB{n:06d}", "company": "UPS",
                                  "url": f"https://ups.example/1ZB{n:06d}"}])  # fmt: skip
        asked[answer["fulfillment"]["admin_graphql_api_id"]] = at
        if outage.down:
            outage.asked.append(answer["fulfillment"]["admin_graphql_api_id"])
    outage.end()
    fulfil_seconds = time.monotonic() - start

    def acknowledged() -> dict[str, float]:
        acks = bk.get("/_simulator/shipments.json").json()["acknowledgements"]
        return {a["fulfillment_id"]: a["at"] for a in acks if a["result"] == "created"}

    wait_for(lambda: len(acknowledged()) >= len(asked), timeout=900, what="every shipment at BackerKit", interval=1)
    acks = acknowledged()
    latencies = [acks[fid] - at for fid, at in asked.items() if fid in acks]
    created = Counter(a["fulfillment_id"] for a in bk.get("/_simulator/shipments.json").json()["acknowledgements"]
                      if a["result"] == "created")  # fmt: skip
    outage_figures = outage.figures(acks=acks) if args.down_seconds else None

    # Baseline: the same bodies, PUT straight to BackerKit (a fresh project, the orders copied).
    bodies = {e.fulfillment_id: (e.record.backerkit_order_id, e.body) for e in
              ShipmentEvent.objects.filter(shop=shop).select_related("record")[:300]}  # fmt: skip
    bk.post("/_simulator/projects", json={"id": "baseline", "api_key": "baseline-key"}).raise_for_status()
    bk.post("/_simulator/projects/baseline/orders", json={"orders": [{"id": o} for o, _ in bodies.values()]})
    direct = []
    with BackerKitClient(api_url=stack.backerkit_url, api_key="baseline-key", project="baseline") as client:
        for fid, (order_id, body) in bodies.items():
            started = time.perf_counter()
            client.put_shipment(order_id=order_id, fulfillment_id=fid, shipment=body)
            direct.append(time.perf_counter() - started)

    # The reconciliation over the period: the webhooks delivered everything (the scan alone).
    sync = FulfilmentSync.objects.get(shop=shop)
    sync.synced_until = _aware(period_started_wall - 60)
    sync.save()
    scan = _reconcile(app, shop, wait_for)
    # A tenth more fulfilled with every webhook dropped: the scan plus the details of what was missed.
    stack.sim.fault(SHOP, drop_webhooks_permanent=True)
    sync.refresh_from_db()
    sync.synced_until = _aware(time.time() - 60)
    sync.save()
    missed = []
    for n, (_order_id, gid) in enumerate(later):
        tracking = [{"number": f"1ZM{n:06d}", "company": "UPS", "url": None}]
        missed.append(stack.sim.fulfil(SHOP, gid.rsplit("/", 1)[1], tracking=tracking)["fulfillment"]["id"])
    found = _reconcile(app, shop, wait_for)

    figures = {
        "orders": args.orders,
        "period_seconds": args.period,
        "fulfil_seconds": round(fulfil_seconds, 1),
        "push_seconds": round(push_seconds, 1),
        "workers": args.workers,
        "acknowledged": len(latencies),
        "latency_seconds": {k: round(v, 3) for k, v in percentiles(latencies).items()},
        "baseline_direct_put_seconds": {k: round(v, 4) for k, v in percentiles(direct).items()},
        "baseline_mean": round(statistics.mean(direct), 4) if direct else 0,
        "duplicates": sum(n - 1 for n in created.values() if n > 1),
        "outage": outage_figures,
        "reconcile_scan": scan,
        "reconcile_after_lost_webhooks": {**found, "missed_fulfilments": len(missed)},
    }
    bk.close()
    return figures, stack


class Outage:
    """BackerKit down (the simulator's switch) from ``start`` (monotonic) for ``seconds``, switched
    by the fulfilment loop as it goes."""

    def __init__(self, bk, *, start: float, seconds: float):
        self.bk, self.start, self.seconds = bk, start, seconds
        self.down, self.over = False, seconds <= 0
        self.asked: list[str] = []  # fulfilments made while it was down
        self.down_at = self.up_at = 0.0  # wall times
        self.requests_before = self.writes_before = 0

    def tick(self) -> None:
        now = time.monotonic()
        if self.over or now < self.start:
            return
        if not self.down:
            self._switch(True)
        elif now >= self.start + self.seconds:
            self._switch(False)

    def end(self) -> None:
        if self.down:
            self._switch(False)

    def _switch(self, down: bool) -> None:
        self.bk.post("/_simulator/down", json={"down": down}).raise_for_status()
        self.down = down
        if down:
            self.down_at = time.time()
        else:
            self.up_at, self.over = time.time(), True

    def figures(self, *, acks: dict[str, float]) -> dict:
        state = self.bk.get("/_simulator/state.json").json()
        backlog = [acks[fid] for fid in self.asked if fid in acks]
        return {
            "down_seconds": round(self.up_at - self.down_at, 1),
            "shipped_while_down": len(self.asked),
            "requests_while_down": state["api_requests_while_down"],
            "writes_while_down": state["writes_while_down"],
            "up_to_last_backlog_ack_seconds": round(max(backlog) - self.up_at, 2) if backlog else None,
            "up_to_last_ack_seconds": round(max(acks.values()) - self.up_at, 2) if acks else None,
        }


def _aware(epoch: float):
    from datetime import UTC, datetime

    return datetime.fromtimestamp(epoch, tz=UTC)


def _reconcile(app, shop, wait_for) -> dict:
    from integrations.orders.models import FulfilmentSync

    before = FulfilmentSync.objects.get(shop=shop).last_run_at
    app.send_task("orders.reconcile_shop", args=[shop.id])
    wait_for(lambda: FulfilmentSync.objects.get(shop=shop).last_run_at != before, timeout=600,
             what="the reconciliation run", interval=0.5)  # fmt: skip
    sync = FulfilmentSync.objects.get(shop=shop)
    per_order = sync.points_spent / sync.orders_read if sync.orders_read else 0.0
    return {"orders_read": sync.orders_read, "points": sync.points_spent, "points_per_order": round(per_order, 2),
            "found": sync.found, "stopped": sync.last_error}  # fmt: skip


def print_figures(f: dict) -> None:
    lat, base = f["latency_seconds"], f["baseline_direct_put_seconds"]
    print(f"{f['orders']} orders fulfilled over {f['fulfil_seconds']} s (asked: {f['period_seconds']} s), "
          f"{f['workers']} workers; pushed first in {f['push_seconds']} s")  # fmt: skip
    print(f"fulfilment -> BackerKit acknowledgement ({f['acknowledged']} shipments): p50 {lat['p50']} s, "
          f"p95 {lat['p95']} s, p99 {lat['p99']} s, max {lat['max']} s")  # fmt: skip
    print(f"baseline, the same bodies PUT straight to BackerKit: p50 {base['p50'] * 1000:.1f} ms, "
          f"p95 {base['p95'] * 1000:.1f} ms, p99 {base['p99'] * 1000:.1f} ms")  # fmt: skip
    print(f"duplicates (a fulfilment created twice at BackerKit): {f['duplicates']}")
    if f["outage"]:
        o = f["outage"]
        print(f"BackerKit down {o['down_seconds']} s while {o['shipped_while_down']} fulfilments were made: "
              f"{o['requests_while_down']} requests reached it ({o['writes_while_down']} shipment writes); "
              f"from up to the last of those acknowledged {o['up_to_last_backlog_ack_seconds']} s "
              f"(to the last of all {o['up_to_last_ack_seconds']} s)")  # fmt: skip
    scan, found = f["reconcile_scan"], f["reconcile_after_lost_webhooks"]
    print(f"reconciliation, everything delivered: {scan['orders_read']} orders read for {scan['points']} points "
          f"({scan['points_per_order']} per order), {scan['found']} found")  # fmt: skip
    print(f"reconciliation, {found['missed_fulfilments']} webhooks dropped: {found['orders_read']} orders read for "
          f"{found['points']} points ({found['points_per_order']} per order), {found['found']} found")  # fmt: skip


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
