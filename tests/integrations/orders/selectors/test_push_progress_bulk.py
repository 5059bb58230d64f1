"""The push's time left while a bulk operation runs in the Shopify simulator: its lines still
running (Shopify's objectCount) at the bulk road's pace, beside the calls'."""

import time

import pytest

from integrations.orders.models import BulkOperation
from integrations.orders.selectors.progress import push_progress
from integrations.orders.services import bulk_follow, bulk_road
from integrations.shops.models import Shop
from tests.support.bulk_road import open_bulk
from tests.support.lane_records import import_into, orders


@pytest.fixture
def quick(settings):
    settings.PUSH_SEARCH_GRACE_SECONDS = 0.2
    return settings


def followed_until(operation_id: int, *, lines_done: int, timeout: float = 20.0) -> BulkOperation:
    """Polled as the tick polls it, until Shopify reports at least ``lines_done`` executed."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        bulk_follow.follow(operation_id=operation_id)
        operation = BulkOperation.objects.get(id=operation_id)
        if operation.lines_done >= lines_done:
            return operation
        time.sleep(0.1)
    raise AssertionError(f"bulk operation {operation_id} did not reach {lines_done} lines")


def test_the_time_left_counts_the_lines_still_running_in_shopify(sim_shop, shopify_sim, quick):
    import_into(sim_shop, orders(120))
    open_bulk(sim_shop, shopify_sim, rate=10, measured=10.0)  # bulk preferred: one chunk takes all 120
    report = bulk_road.start_chunk(shop_id=sim_shop.id)
    assert report.lines == 120

    operation = followed_until(report.operation_id, lines_done=30)
    progress = push_progress(shop_id=sim_shop.id)

    left = 120 - operation.lines_done
    assert progress.remaining == 120  # no result written yet: the bar has not moved
    # Nothing went by calls (no rate measured from attempts): the time is the bulk lines' alone.
    assert progress.eta_seconds == pytest.approx(left / 10.0, rel=0.05)
    later = followed_until(report.operation_id, lines_done=operation.lines_done + 20)
    assert push_progress(shop_id=sim_shop.id).eta_seconds == pytest.approx((120 - later.lines_done) / 10.0, rel=0.05)

    Shop.objects.filter(id=sim_shop.id).update(bulk_lines_per_second=None)  # a first operation: its own pace
    assert 0 < push_progress(shop_id=sim_shop.id).eta_seconds < 2 * (120 - later.lines_done) / 10.0
