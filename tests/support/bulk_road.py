"""Driving the bulk road in the test's thread: a chunk started, followed until it resolves, and
what it left for the lanes finished by a lane (no worker: the services are the unit here)."""

import time

from integrations.orders.models import BulkOperation, PushRecord
from integrations.orders.services import bulk_follow, bulk_road
from integrations.orders.services.lanes import run_lane
from integrations.shops.models import Shop

State = PushRecord.State


def open_bulk(shop, shopify_sim, *, rate: float = 400, start: float = 0.05, measured: float | None = 1000.0):
    """The shop prefers bulk and (unless ``measured`` is None) its rate is known: one chunk takes all."""
    Shop.objects.filter(id=shop.id).update(push_road=Shop.PushRoad.BULK, bulk_lines_per_second=measured,
                                           bulk_start_seconds=0.1 if measured else None)  # fmt: skip
    shopify_sim.bulk(shop.domain, lines_per_second=rate, start_delay_seconds=start, window=4)


def follow_to_the_end(operation_id: int, *, timeout: float = 15.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = bulk_follow.follow(operation_id=operation_id)
        stage = BulkOperation.objects.get(id=operation_id).stage
        if stage in (BulkOperation.Stage.RESOLVED, BulkOperation.Stage.ABANDONED):
            return result
        time.sleep(0.05)
    raise AssertionError(f"bulk operation {operation_id} did not resolve: {result}")


def start_and_resolve(shop) -> BulkOperation:
    report = bulk_road.start_chunk(shop_id=shop.id)
    assert report.operation_id and report.lines, report
    follow_to_the_end(report.operation_id)
    return BulkOperation.objects.get(id=report.operation_id)


def finish_with_lanes(shop, *, timeout: float = 20.0) -> None:
    """What the bulk road handed back, finished by lanes (lookups first) until every record is final."""
    deadline = time.monotonic() + timeout
    while PushRecord.objects.filter(shop=shop).exclude(state__in=PushRecord.FINAL_STATES).exists():
        assert time.monotonic() < deadline, "records still not final"
        run_lane(shop_id=shop.id, budget_seconds=5.0)
        time.sleep(0.05)
