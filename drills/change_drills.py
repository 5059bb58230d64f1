"""Drill 13: 1,000 changes from BackerKit to orders already pushed, while a worker is SIGKILLed
mid-change (and restarted), Shopify answers a storm of 5xx, then the shop's token is revoked
mid-batch (the changes pause, neither failed nor lost, the shop shows Reconnect; the merchant
reconnects through the web and they resume). Every change must end applied once (Shopify holds it,
and its order shows exactly one write of it by the app), or final with its reason; none lost, none
applied twice."""

import copy
import time

from django.db.models import Count

from drills.drill import Drill
from drills.pushing import finish_import, push_campaign, start_import, wait_settled, write_campaign
from drills.shopify_drills import reconnect
from drills.shops import open_shop
from drills.stack import DrillError, Stack, StackOptions
from drills.tally import Tally
from harness.waiting import wait_for
from integrations.backerkit.simulator.campaign import generate_campaign
from integrations.orders.models import ChangeSettings, OrderChange
from integrations.shops.models import Shop

ChangeState = OrderChange.State
CHANGES = 1000
ITEMS_EVERY = 10  # one change in ten is an items change (an order edit), the rest address changes
STORM = 40  # 5xx answers
REVOKE_AT = CHANGES // 2  # the token is revoked once this many changes are applied
SETTLE_SECONDS = 240.0
FINAL = (ChangeState.APPLIED, ChangeState.NEEDS_ATTENTION, ChangeState.CONFLICT, ChangeState.DISMISSED,
         ChangeState.SUPERSEDED)  # fmt: skip


def newer_version(order: dict, index: int) -> dict:
    newer = copy.deepcopy(order)
    if index % ITEMS_EVERY == 0:
        newer["items"][0]["quantity"] += 1
    else:
        newer["shipping_address"]["city"] = f"Moved {index}"
    return newer


def _change_lanes(stack: Stack) -> tuple[int, int]:
    """(index, change lanes running) of the worker running the most change lanes right now."""
    from shopapp.celery import app

    deadline = time.monotonic() + 15
    while True:
        active = app.control.inspect([w.hostname for w in stack.workers], timeout=1.0).active() or {}
        lanes = [sum(t.get("name") == "orders.change_lane" for t in active.get(w.hostname, [])) for w in stack.workers]
        index = max(range(len(lanes)), key=lambda i: lanes[i])
        if lanes[index] > 0:
            return index, lanes[index]
        if time.monotonic() > deadline:
            raise DrillError("no worker reported a running change lane to kill")


def changes_during_faults(stack: Stack) -> Tally:
    domain = "drill-changes.myshopify.com"
    shop = open_shop(stack, domain)
    ChangeSettings.objects.create(shop=shop, auto_items=True)
    orders = generate_campaign(backers=CHANGES, seed=11, id_prefix="chg")
    push_campaign(stack, shop, orders)
    wait_settled(stack, shop, records=len(orders), timeout=SETTLE_SECONDS)
    pushed = count_pushed_quietly(stack, shop, orders)

    newer = [newer_version(order, index) for index, order in enumerate(orders)]
    finish_import(start_import(stack, shop, write_campaign(stack.logs / "changes.jsonl", newer)))
    changes = OrderChange.objects.filter(shop=shop)
    if changes.count() != CHANGES:
        raise DrillError(f"{changes.count()} changes taken in instead of {CHANGES}")

    wait_for(lambda: changes.filter(state=ChangeState.APPLIED).count() >= CHANGES // 5, timeout=120,
             what="a fifth of the changes to be applied")  # fmt: skip
    victim, lanes = _change_lanes(stack)
    stack.kill_worker(victim)
    applied_at_kill = changes.filter(state=ChangeState.APPLIED).count()
    stack.start_worker(victim)
    stack.sim.fault(domain, http_5xx=STORM)
    notes = [
        f"{pushed} orders pushed; {CHANGES} changes ({CHANGES // ITEMS_EVERY} order edits); SIGKILLed worker "
        f"{victim} running {lanes} change lanes with {applied_at_kill} applied; then {STORM} answers 5xx"
    ]

    notes.append(revoke_then_reconnect(stack, shop, changes))

    wait_for(lambda: not changes.exclude(state__in=FINAL).exists(), timeout=SETTLE_SECONDS,
             what="every change to be final")  # fmt: skip
    stack.stop_pushing()
    tally = count_changes(stack, domain, orders, newer)
    counters = stack.sim.state()["counters"]
    outcomes = dict(changes.values_list("change_attempts__outcome").annotate(n=Count("id")))
    tally.notes = [*notes, f"5xx answered: {counters.get('fault_http_5xx', 0)}; change attempts by outcome: {outcomes}"]
    return tally


def revoke_then_reconnect(stack: Stack, shop, changes) -> str:
    """Partway through, every token of the shop is revoked: the changes must pause (none applying,
    none failed for it, the shop disconnected with its reason: Reconnect), then resume once the
    merchant reconnects through the web."""
    wait_for(lambda: changes.filter(state=ChangeState.APPLIED).count() >= REVOKE_AT, timeout=120,
             what=f"{REVOKE_AT} changes to be applied before the revoke")  # fmt: skip
    settled_before = changes.exclude(state__in=(ChangeState.PENDING, ChangeState.APPLYING)).count()
    stopped_before = changes.exclude(state__in=(ChangeState.PENDING, ChangeState.APPLYING, ChangeState.APPLIED)).count()
    if settled_before >= CHANGES:
        raise DrillError("every change was final before the token could be revoked")
    revoked = stack.sim.revoke(shop.domain)
    revoked_at = time.monotonic()

    def paused() -> bool:
        current = Shop.objects.get(id=shop.id)
        return current.status == Shop.Status.DISCONNECTED and not changes.filter(state=ChangeState.APPLYING).exists()

    wait_for(paused, timeout=60, what="the shop to be disconnected and its changes paused", interval=0.2)
    shop.refresh_from_db()
    reason = shop.disconnected_reason
    if not reason:
        raise DrillError("the shop was disconnected without a reason for the merchant")
    waiting = changes.filter(state=ChangeState.PENDING).count()
    applied = changes.filter(state=ChangeState.APPLIED).count()
    stopped = changes.exclude(state__in=(ChangeState.PENDING, ChangeState.APPLIED)).count() - stopped_before
    if waiting == 0:
        raise DrillError("no change was left to pause: the revoke came too late")
    if stopped:
        raise DrillError(f"{stopped} changes ended other than applied while the token was revoked")
    time.sleep(2)  # paused for good: nothing is applied without a token
    if changes.filter(state=ChangeState.APPLIED).count() != applied:
        raise DrillError("changes were applied while the shop was disconnected")
    reconnect(stack, shop.domain)
    shop.refresh_from_db()
    if shop.status != Shop.Status.CONNECTED:
        raise DrillError(f"the shop is {shop.status} after Reconnect")
    return (f"{revoked} tokens revoked with {applied} applied: disconnected ({reason!r}), {waiting} changes paused "
            f"(0 failed) for {time.monotonic() - revoked_at:.0f}s; the merchant reconnected")  # fmt: skip


def count_pushed_quietly(stack: Stack, shop, orders: list[dict]) -> int:
    from integrations.orders.models import PushRecord

    pushed = PushRecord.objects.filter(shop=shop, state=PushRecord.State.PUSHED).count()
    if pushed != len(orders):
        raise DrillError(f"only {pushed} of {len(orders)} orders were pushed before the changes")
    return pushed


def count_changes(stack: Stack, domain: str, orders: list[dict], newer: list[dict]) -> Tally:
    """Each change against the Shopify order: applied once (Shopify has it, one write of its kind by
    the app), applied twice (more than one), lost (not final, or applied but not in Shopify), or
    final with a reason (attention)."""
    tally = Tally(expected=len(newer))
    shopify = {o["source_identifier"]: o for o in stack.sim.orders(domain)}
    changes = {c.record.backerkit_order_id: c for c in OrderChange.objects.filter(shop__domain=domain)
               .select_related("record")}  # fmt: skip
    for index, version in enumerate(newer):
        order_id, change, there = version["id"], changes.get(version["id"]), shopify.get(version["id"])
        items = index % ITEMS_EVERY == 0
        kind = "edit" if items else "update"
        writes = sum(1 for e in (there or {}).get("events", []) if e["actor"] == "app" and e["kind"] == kind)
        if change is None or there is None or change.state not in FINAL:
            tally.lost += 1
            tally.problem(f"{order_id}: {'no change' if change is None else change.state}")
            continue
        if writes > 1:
            tally.duplicated += 1
            tally.problem(f"{order_id}: {writes} {kind} writes")
            continue
        if change.state != ChangeState.APPLIED:
            tally.attention += 1
            tally.reasons[change.reason[:120]] += 1
            continue
        sku = version["items"][0]["sku"]
        holds = (there["current_quantities"].get(sku) == sum(i["quantity"] for i in version["items"] if i["sku"] == sku)
                 if items else there["shipping_address"]["city"] == version["shipping_address"]["city"])  # fmt: skip
        if holds and writes == 1:
            tally.pushed_once += 1
        else:
            tally.lost += 1
            tally.problem(f"{order_id}: applied but Shopify does not hold it ({writes} writes)")
    return tally


DRILLS = (
    Drill(
        13,
        "changes-during-faults",
        "1,000 changes, worker SIGKILLed, 5xx, token revoked mid-way",
        changes_during_faults,
        options=StackOptions(env=(("CHANGE_LANES_PER_SHOP", "8"),)),
    ),  # fmt: skip
)
