"""Shopify freezes (402: the bill is unpaid) or locks (423) a store: not the orders' fault. The
shop's push is held with the reason the merchant reads, nothing fails, nothing is counted as an
attempt; the periodic check resumes it once Shopify answers again, and every order arrives once."""

import pytest

from integrations.orders.models import PushAttempt, PushRecord
from integrations.orders.services import lifecycle
from integrations.orders.services.lanes import run_lane
from integrations.orders.services.variants import resolve_variants
from integrations.shops.models import Shop
from integrations.shops.tokens.access import admin_client_for
from tests.support.lane_records import LANE_BUDGET, import_into, orders, states

State = PushRecord.State


@pytest.mark.parametrize(
    ("availability", "hold", "words"),
    [
        ("frozen", Shop.PushHold.FROZEN, "Your Shopify store is frozen"),
        ("locked", Shop.PushHold.LOCKED, "Your Shopify store is locked"),
    ],
)
def test_a_store_shopify_closes_mid_push_pauses_and_resumes_when_it_reopens(
    sim_shop, shopify_sim, availability, hold, words
):
    import_into(sim_shop, orders(6))
    # The SKUs are known already (cached): the first call the lane makes is an orderCreate.
    resolve_variants(client=admin_client_for(shop_id=sim_shop.id), skus={"GAME-CORE", "DICE-METAL"})
    shopify_sim.set_availability(sim_shop.domain, availability)

    run_lane(shop_id=sim_shop.id, budget_seconds=LANE_BUDGET)

    sim_shop.refresh_from_db()
    assert sim_shop.push_hold == hold
    assert words in sim_shop.push_hold_reason and "No order is lost" in sim_shop.push_hold_reason
    records = list(PushRecord.objects.filter(shop=sim_shop))
    assert {r.state for r in records} == {State.PAUSED}
    assert {r.attempts for r in records} == {0}
    assert not any(r.last_error for r in records)
    assert list(PushAttempt.objects.filter(record__shop=sim_shop).values_list("outcome", flat=True)) == [
        PushAttempt.Outcome.SHOP_UNAVAILABLE
    ]
    # While closed, a lane leaves it alone and the check finds it still closed.
    assert run_lane(shop_id=sim_shop.id, budget_seconds=LANE_BUDGET).stopped == "shop not pushable"
    assert lifecycle.shops_held_by_shopify() == [sim_shop.id]
    assert lifecycle.check_held_shop(shop_id=sim_shop.id) is False

    shopify_sim.set_availability(sim_shop.domain, "open")
    assert lifecycle.check_held_shop(shop_id=sim_shop.id) is True

    sim_shop.refresh_from_db()
    assert (sim_shop.push_hold, sim_shop.push_hold_reason) == ("", "")
    assert set(states(sim_shop).values()) == {State.PENDING}
    run_lane(shop_id=sim_shop.id, budget_seconds=LANE_BUDGET)
    assert set(states(sim_shop).values()) == {State.PUSHED}
    created = [o["source_identifier"] for o in shopify_sim.orders(sim_shop.domain)]
    assert sorted(created) == sorted(states(sim_shop))


def test_a_store_frozen_before_the_push_holds_it_at_the_first_call(sim_shop, shopify_sim):
    import_into(sim_shop, orders(3))
    shopify_sim.set_availability(sim_shop.domain, "frozen")

    report = run_lane(shop_id=sim_shop.id, budget_seconds=LANE_BUDGET)

    assert "frozen (402)" in report.stopped
    sim_shop.refresh_from_db()
    assert sim_shop.push_hold == Shop.PushHold.FROZEN
    assert set(states(sim_shop).values()) == {State.PAUSED}
    assert not PushRecord.objects.filter(shop=sim_shop, state=State.FAILED).exists()


def test_a_frozen_store_that_becomes_locked_shows_the_new_reason(sim_shop, shopify_sim):
    import_into(sim_shop, orders(1))
    shopify_sim.set_availability(sim_shop.domain, "frozen")
    run_lane(shop_id=sim_shop.id, budget_seconds=LANE_BUDGET)
    shopify_sim.set_availability(sim_shop.domain, "locked")

    assert lifecycle.check_held_shop(shop_id=sim_shop.id) is False

    sim_shop.refresh_from_db()
    assert sim_shop.push_hold == Shop.PushHold.LOCKED
    assert "locked" in sim_shop.push_hold_reason
