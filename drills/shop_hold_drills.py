"""Drill 9: Shopify freezes the store mid-push (402: the owner has not paid Shopify's bill). The
push holds the shop with the reason the merchant reads, fails nothing and counts nothing as an
attempt; Shopify unfreezes the store and the periodic check (beat) resumes the push by itself."""

import time

from drills.drill import Drill
from drills.pushing import _poll, count_pushed, push_campaign, record_counts, wait_mid_push, wait_settled
from drills.shops import open_shop
from drills.stack import DrillError, Stack
from drills.tally import Tally
from integrations.backerkit.simulator.campaign import generate_campaign
from integrations.orders.models import PushRecord
from integrations.shops.models import Shop

State = PushRecord.State
CAMPAIGN = 300
FROZEN_SECONDS = 10.0  # several periodic checks (drills: every 3 s) find the store still frozen


def wait_held(stack: Stack, shop: Shop, *, timeout: float = 90.0) -> dict[str, int]:
    """Until the shop's push is held as frozen and none of its work is pending or being pushed."""
    state: dict = {"counts": {}}

    def held() -> bool:
        counts = record_counts(shop.id)
        if counts is None or Shop.objects.get(id=shop.id).push_hold != Shop.PushHold.FROZEN:
            return False
        state["counts"] = counts
        return not counts.get(State.PENDING, 0) and not counts.get(State.PUSHING, 0)

    _poll(stack, held, timeout=timeout, what="the shop's push to be held as frozen")
    return state["counts"]


def frozen_then_unfrozen(stack: Stack) -> Tally:
    domain = "drill-frozen-shop.myshopify.com"
    shop = open_shop(stack, domain)
    orders = generate_campaign(backers=CAMPAIGN, seed=9, id_prefix="frozen")
    push_campaign(stack, shop, orders)
    pushed = wait_mid_push(stack, shop, pushed=CAMPAIGN // 4, total=CAMPAIGN)
    stack.sim.set_availability(domain, "frozen")
    counts = wait_held(stack, shop)
    shop.refresh_from_db()
    held_as = shop.get_push_hold_display()
    if "frozen" not in shop.push_hold_reason:
        raise DrillError(f"the shop was held without the reason for the merchant: {shop.push_hold_reason!r}")
    if counts.get(State.FAILED, 0) or counts.get(State.NEEDS_ATTENTION, 0):
        raise DrillError(f"orders were failed because the store was frozen: {counts}")
    time.sleep(FROZEN_SECONDS)  # the store stays frozen: the checks find it so, nothing resumes
    if Shop.objects.get(id=shop.id).push_hold != Shop.PushHold.FROZEN:
        raise DrillError("the push resumed while the store was still frozen")
    stack.sim.set_availability(domain, "open")
    wait_settled(stack, shop, records=len(orders), timeout=150)
    shop.refresh_from_db()
    if shop.push_hold:
        raise DrillError(f"every order is final but the shop is still held: {shop.push_hold}")
    answered = stack.sim.state()["counters"].get("shop_frozen", 0)
    notes = [f"frozen with {pushed}/{len(orders)} pushed: held ({held_as}), "
             f"{counts.get(State.PAUSED, 0)} orders paused, {answered} requests answered 402; "
             f"unfrozen after {FROZEN_SECONDS:.0f} s, resumed by the periodic check"]  # fmt: skip
    return count_pushed(stack, shop, orders, notes)


DRILLS = (Drill(9, "frozen-shop", "Shopify freezes the store mid-push, then unfreezes it", frozen_then_unfrozen),)
