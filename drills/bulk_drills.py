"""Drill 11: every worker SIGKILLed while one of the shop's bulk operations runs in Shopify, then
restarted. The operation goes on without them (it is Shopify's); its finish webhook may be
handled or lost while nobody consumes. After the restart the bulk follower (the beat's tick) takes
the operation back from the stage it was left in, writes its results, and hands whatever has no
result to the lookup: each order pushed once, none lost."""

import time

from django.db.models import Count

from drills.drill import Drill
from drills.pushing import count_pushed, push_campaign, wait_settled
from drills.shops import open_shop
from drills.stack import DrillError, Stack, StackOptions
from drills.tally import Tally
from harness.waiting import wait_for
from integrations.backerkit.simulator.campaign import generate_campaign
from integrations.orders.models import BulkOperation, PushRecord
from integrations.shops.models import Shop

CAMPAIGN = 250
RUNNER_LINES_PER_SECOND = 30  # the simulated runner: a 250-line operation runs ~8 s
DEAD_SECONDS = 2.0
SETTLE_SECONDS = 120.0


def worker_killed_during_bulk(stack: Stack) -> Tally:
    domain = "drill-bulk-kill.myshopify.com"
    shop = open_shop(stack, domain, plan="standard")
    # Bulk preferred and its rate known: one operation takes what the lanes have not claimed.
    figures = {"bulk_lines_per_second": RUNNER_LINES_PER_SECOND, "bulk_start_seconds": 1.0}
    Shop.objects.filter(id=shop.id).update(push_road=Shop.PushRoad.BULK, **figures)
    stack.sim.bulk(domain, lines_per_second=RUNNER_LINES_PER_SECOND, start_delay_seconds=1.0)
    stack.sim.set_bucket(domain, 0)  # the calls are paced from the start
    orders = generate_campaign(backers=CAMPAIGN, seed=11, id_prefix="bulkkill")
    push_campaign(stack, shop, orders)

    def running() -> bool:
        return BulkOperation.objects.filter(shop=shop, stage=BulkOperation.Stage.RUNNING, lines_done__gt=0).exists()

    wait_for(running, timeout=60, what="a bulk operation running in Shopify", interval=0.2)
    operation = BulkOperation.objects.filter(shop=shop, stage=BulkOperation.Stage.RUNNING).first()
    if operation is None:
        raise DrillError("no bulk operation ran: the drill proved nothing")
    for index in range(len(stack.workers)):
        stack.kill_worker(index)
    notes = [
        f"SIGKILLed all {len(stack.workers)} workers while bulk operation {operation.shopify_id} ({operation.lines} "
        f"lines) ran, {operation.lines_done} done; restarted after {DEAD_SECONDS:.0f} s"
    ]
    time.sleep(DEAD_SECONDS)
    for index in range(len(stack.workers)):
        stack.start_worker(index)
    wait_settled(stack, shop, records=len(orders), timeout=SETTLE_SECONDS)
    stages = dict(BulkOperation.objects.filter(shop=shop).values_list("stage").annotate(n=Count("id")))
    by_bulk = PushRecord.objects.filter(shop=shop, road=PushRecord.Road.BULK).count()
    notes.append(f"bulk operations by stage: {stages}; pushed by bulk: {by_bulk}, by calls: {len(orders) - by_bulk}")
    if not by_bulk:
        raise DrillError("nothing was pushed by the bulk road")
    return count_pushed(stack, shop, orders, notes)


DRILLS = (
    Drill(
        14,
        "bulk-worker-kill",
        "workers SIGKILLed while a bulk operation runs, restarted",
        worker_killed_during_bulk,
        options=StackOptions(workers=2, env=(("BULK_TICK_SECONDS", "1"), ("PUSH_BATCH_SIZE", "5"))),
    ),  # fmt: skip
)
