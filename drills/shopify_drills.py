"""Drills 4-6: Shopify misbehaves mid-push -- answers 5xx for 30 seconds and then withholds the
answers of orders it created, revokes the app's token (the merchant reconnects through the web),
refuses non-expiring tokens (the 2027 cut-over) for a shop that still holds one."""

import time

from drills.drill import Drill
from drills.pushing import count_pushed, push_campaign, wait_mid_push, wait_paused, wait_settled
from drills.shops import give_legacy_token, open_shop
from drills.stack import DrillError, Stack
from drills.tally import Tally
from drills.web import install_through_web
from integrations.backerkit.simulator.campaign import generate_campaign
from integrations.orders.models import PushRecord
from integrations.shops.models import Shop
from shopapp.install.links import install_url

CAMPAIGN = 300
OUTAGE_SECONDS = 30.0  # Shopify answers 5xx this long
LOST_ANSWERS = 15  # then this many orderCreate answers are withheld after the order was created
HOLD_SECONDS = 7.0  # longer than the drills' SHOPIFY_READ_TIMEOUT (5 s): the app's read times out


def _start(stack: Stack, *, domain: str, prefix: str, seed: int, **sim_settings):
    shop = open_shop(stack, domain, **sim_settings)
    orders = generate_campaign(backers=CAMPAIGN, seed=seed, id_prefix=prefix)
    push_campaign(stack, shop, orders)
    return shop, orders


def reconnect(stack: Stack, domain: str) -> None:
    """The merchant clicks Reconnect (the button's link, through the install flow)."""
    install_through_web(web_url=stack.web_url, shop=domain, path=install_url(domain))


def shopify_5xx_then_lost_answers(stack: Stack) -> Tally:
    domain = "drill-shopify-outage.myshopify.com"
    # Search lags behind writes: a lost answer's order is not found at once (the grace period).
    shop, orders = _start(stack, domain=domain, prefix="outage", seed=4, search_index_delay_seconds=1.5)
    pushed = wait_mid_push(stack, shop, pushed=CAMPAIGN // 5, total=CAMPAIGN)
    stack.sim.fault(domain, http_5xx=10**9, http_5xx_status=503)
    time.sleep(OUTAGE_SECONDS)  # the outage itself: Shopify answers 503 for this long
    stack.sim.fault(domain, http_5xx=0, timeout_after_create=LOST_ANSWERS, hold_seconds=HOLD_SECONDS)
    wait_settled(stack, shop, records=len(orders), timeout=300)
    counters = stack.sim.state()["counters"]
    lost = counters.get("fault_timeout_after_create", 0)
    if lost != LOST_ANSWERS:
        raise DrillError(f"only {lost} of {LOST_ANSWERS} answers were withheld: the push ended too soon")
    notes = [f"{counters.get('fault_http_5xx', 0)} answers 503 for {OUTAGE_SECONDS:.0f}s from {pushed}/{len(orders)} "
             f"pushed, then {lost} answers withheld after the order was created"]  # fmt: skip
    return count_pushed(stack, shop, orders, notes)


def token_revoked_then_reconnect(stack: Stack) -> Tally:
    domain = "drill-token-revoked.myshopify.com"
    shop, orders = _start(stack, domain=domain, prefix="revoked", seed=5)
    pushed = wait_mid_push(stack, shop, pushed=CAMPAIGN // 4, total=CAMPAIGN)
    revoked = stack.sim.revoke(domain)
    counts = wait_paused(stack, shop)
    shop.refresh_from_db()
    if not shop.disconnected_reason:
        raise DrillError("the shop was disconnected without a reason for the merchant")
    paused = counts.get(PushRecord.State.PAUSED, 0)
    notes = [f"{revoked} tokens revoked with {pushed}/{len(orders)} pushed: disconnected "
             f"({shop.disconnected_reason!r}), {paused} orders paused; the merchant reconnected"]  # fmt: skip
    reconnect(stack, domain)
    wait_settled(stack, shop, records=len(orders), timeout=150)
    return count_pushed(stack, shop, orders, notes)


def legacy_token_cutover(stack: Stack) -> Tally:
    domain = "drill-legacy-token.myshopify.com"
    shop = open_shop(stack, domain)
    give_legacy_token(stack, shop)
    stack.sim.update_shop(domain, accept_non_expiring=False)  # 2027-01-01: non-expiring tokens refused
    orders = generate_campaign(backers=CAMPAIGN, seed=6, id_prefix="legacy")
    push_campaign(stack, shop, orders)
    reconnected: list[bool] = []

    def merchant_reconnects() -> None:
        reconnected.append(True)
        reconnect(stack, domain)

    wait_settled(stack, shop, records=len(orders), timeout=150, on_paused=merchant_reconnects)
    shop.refresh_from_db()
    if shop.token_kind != Shop.TokenKind.EXPIRING:
        raise DrillError(f"the shop still holds a {shop.token_kind} token")
    how = "the merchant reconnected" if reconnected else "migrated by the app (token exchange), no Reconnect needed"
    tokens = [t for t in stack.sim.state()["tokens"] if t["shop"] == domain]
    legacy = [t["revoked_reason"] for t in tokens if t["kind"] == "legacy"]
    live = sum(1 for t in tokens if not t["revoked_reason"])
    notes = [f"legacy non-expiring token, Shopify refusing non-expiring tokens: {how}; Shopify's legacy token: "
             f"{', '.join(map(str, legacy))}; live tokens: {live} (expiring, held by the shop)"]  # fmt: skip
    return count_pushed(stack, shop, orders, notes)


DRILLS = (
    Drill(4, "shopify-outage", "Shopify 5xx for 30 s, then lost answers", shopify_5xx_then_lost_answers),
    Drill(5, "token-revoked", "token revoked mid-push, then Reconnect", token_revoked_then_reconnect),
    Drill(6, "legacy-cutover", "non-expiring tokens refused (2027 cut-over)", legacy_token_cutover),
)
