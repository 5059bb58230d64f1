"""Drills 11 and 12: shipments flowing back to BackerKit when something fails on the way.

11 backerkit-down-shipping: the warehouse ships every order (a fifth of them in two waves) while
   BackerKit is down; the connection's outbox pauses: the sends in flight fail, then only one probe
   at a time reaches BackerKit (not one request per shipment, no attempt spent by the others);
   BackerKit comes back: every shipment arrives exactly once (created once at BackerKit, in its
   latest version), none left waiting.
12 webhooks-lost: Shopify never delivers a fulfilment webhook (dropped); the scheduled
   reconciliation finds every fulfilment and each reaches BackerKit exactly once.

Both first pull a campaign from the BackerKit simulator (an API connection) and push it, so the
push is counted as in every drill; the shipments are checked against what the Shopify simulator
fulfilled and what the BackerKit simulator acknowledged."""

from collections import Counter

import httpx
from django.conf import settings

from drills.drill import Drill
from drills.pushing import count_pushed, wait_settled
from drills.shops import open_shop
from drills.stack import BACKERKIT_KEY, BACKERKIT_PROJECT, DrillError, Stack, StackOptions
from drills.tally import Tally
from harness.waiting import wait_for
from integrations.backerkit.simulator.campaign import generate_campaign
from integrations.orders.models import BackerKitConnection, PushRecord, ShipmentEvent

CAMPAIGN = 60
OPEN = (ShipmentEvent.State.WAITING, ShipmentEvent.State.SENDING)
OUTBOX_ENV = (
    ("SHIPMENT_BACKOFF_SECONDS", "1"),
    ("SHIPMENT_BACKOFF_MAX_SECONDS", "2"),
    ("SHIPMENT_SWEEP_INTERVAL_SECONDS", "2"),
    ("SHIPMENT_SWEEP_AFTER_SECONDS", "3"),
)


def _pushed_campaign(stack: Stack, domain: str, *, seed: int) -> tuple:
    from shopapp.celery import app

    shop = open_shop(stack, domain, scopes=settings.SHOPIFY_SCOPES)  # with the fulfilment scopes
    orders = generate_campaign(backers=CAMPAIGN, seed=seed, id_prefix=domain.split(".")[0][-6:])
    stack.expectation.order_ids = [o["id"] for o in orders]
    with httpx.Client(base_url=stack.backerkit_url, timeout=60) as backerkit:
        backerkit.post(f"/_simulator/projects/{BACKERKIT_PROJECT}/orders", json={"orders": orders}).raise_for_status()
    connection = BackerKitConnection.objects.create(
        shop=shop, kind=BackerKitConnection.Kind.API, store_name="Skyforge Store", project=BACKERKIT_PROJECT,
        api_key=BACKERKIT_KEY, currency="USD",
    )  # fmt: skip
    app.send_task("orders.pull_connection", args=[connection.id])
    wait_settled(stack, shop, records=len(orders), timeout=150)
    return shop, orders


def _ship_everything(stack: Stack, shop) -> dict[str, tuple[str, str]]:
    """Fulfil every pushed order (every fifth in two waves); fulfilment id -> (order id, tracking)."""
    shipped: dict[str, tuple[str, str]] = {}
    records = PushRecord.objects.filter(shop=shop, state=PushRecord.State.PUSHED).order_by("id")
    for n, (order_id, gid) in enumerate(records.values_list("backerkit_order_id", "shopify_order_id")):
        number = gid.rsplit("/", 1)[1]
        waves: list = []
        if n % 5 == 0:
            lines = [line for line in stack.sim.order(shop.domain, number)["line_items"] if line.get("sku")]
            if sum(line["quantity"] for line in lines) >= 2:  # something is left for a second wave
                waves.append([{"sku": lines[0]["sku"], "quantity": 1}])
        waves.append(None)  # what is left
        for wave, line_items in enumerate(waves):
            tracking = f"1ZDRILL{n:04d}W{wave}"
            answer = stack.sim.fulfil(shop.domain, number, line_items=line_items,
                                      tracking=[{"number": tracking, "company": "UPS",
                                                 "url": f"https://ups.example/{tracking}"}])  # fmt: skip
            shipped[answer["fulfillment"]["admin_graphql_api_id"]] = (order_id, tracking)
    return shipped


def _received(stack: Stack) -> dict:
    with httpx.Client(base_url=stack.backerkit_url, timeout=60) as backerkit:
        return backerkit.get("/_simulator/shipments.json").json()


def _check_each_once(stack: Stack, shipped: dict[str, tuple[str, str]], tally: Tally) -> None:
    received = _received(stack)
    created = Counter(a["fulfillment_id"] for a in received["acknowledgements"] if a["result"] == "created")
    kept = {s["fulfillment_id"]: s["body"] for s in received["shipments"]}
    missing = [fid for fid in shipped if fid not in kept]
    twice = {fid: n for fid, n in created.items() if n > 1}
    wrong = [
        fid
        for fid, (order_id, number) in shipped.items()
        if fid in kept and (kept[fid]["order_id"], kept[fid]["tracking"][0]["number"]) != (order_id, number)
    ]
    unexpected = [fid for fid in kept if fid not in shipped]
    results = Counter(a["result"] for a in received["acknowledgements"])
    tally.notes.append(f"{len(shipped)} fulfilments shipped, {len(kept)} kept by BackerKit; acknowledgements by "
                       f"result: {dict(results)}")  # fmt: skip
    if missing or twice or wrong or unexpected:
        raise DrillError(f"shipments: {len(missing)} missing (e.g. {missing[:3]}), {len(twice)} created twice "
                         f"({list(twice.items())[:3]}), {len(wrong)} wrong, {len(unexpected)} unexpected")  # fmt: skip


def _state(stack: Stack) -> dict:
    with httpx.Client(base_url=stack.backerkit_url, timeout=60) as backerkit:
        return backerkit.get("/_simulator/state.json").json()


def backerkit_down_during_a_shipping_day(stack: Stack) -> Tally:
    shop, orders = _pushed_campaign(stack, "drill-ship-bkdown.myshopify.com", seed=21)
    with httpx.Client(base_url=stack.backerkit_url, timeout=60) as backerkit:
        backerkit.post("/_simulator/down", json={"down": True}).raise_for_status()
    shipped = _ship_everything(stack, shop)
    events = ShipmentEvent.objects.filter(shop=shop)
    connection = BackerKitConnection.objects.filter(shop=shop)

    def probes() -> int:
        return connection.get().shipments_failures

    wait_for(lambda: events.count() == len(shipped) and probes() >= 2, timeout=60, interval=0.5,
             what="every shipment to be recorded and the paused outbox to probe BackerKit")  # fmt: skip
    # The pause holds: from here on, a request reaches BackerKit only as the connection's probe.
    wait_for(lambda: not events.filter(state=ShipmentEvent.State.SENDING).exists(), timeout=30,
             what="the sends in flight when the pause began to end", interval=0.2)  # fmt: skip
    probes_before, writes_before = probes(), _state(stack)["writes_while_down"]
    wait_for(lambda: probes() >= probes_before + 2, timeout=30, what="two more probes while down", interval=0.5)
    wait_for(lambda: not events.filter(state=ShipmentEvent.State.SENDING).exists(), timeout=30,
             what="the probe under way to end", interval=0.2)  # fmt: skip
    down_writes, probes_down = _state(stack)["writes_while_down"], probes()
    tried, tried_by = sum(events.values_list("attempts", flat=True)), events.exclude(attempts=0).count()
    if _received(stack)["shipments"]:
        raise DrillError("BackerKit received shipments while it was down")
    if down_writes - writes_before > probes_down - probes_before + 1:
        raise DrillError(f"paused, yet {down_writes - writes_before} writes reached BackerKit for "
                         f"{probes_down - probes_before} probes")  # fmt: skip
    in_flight = stack.options.workers * stack.options.concurrency
    if down_writes > in_flight + probes_down + 1 or tried != down_writes:
        raise DrillError(f"{down_writes} writes reached BackerKit while it was down ({tried} attempts) for "
                         f"{len(shipped)} shipments: the outbox did not pause")  # fmt: skip
    with httpx.Client(base_url=stack.backerkit_url, timeout=60) as backerkit:
        backerkit.post("/_simulator/down", json={"down": False}).raise_for_status()
    wait_for(lambda: not events.filter(state__in=OPEN).exists(), timeout=90,
             what="the outbox to drain once BackerKit is back", interval=0.5)  # fmt: skip
    notes = [f"BackerKit down while {len(shipped)} fulfilments of {len(orders)} orders shipped: {down_writes} "
             f"writes reached it (the sends under way when it paused, then one probe at a time), {tried} attempts "
             f"spent by {tried_by} shipment{'s' if tried_by != 1 else ''}; then BackerKit came back"]  # fmt: skip
    tally = count_pushed(stack, shop, orders, notes)
    _check_each_once(stack, shipped, tally)
    states = Counter(events.values_list("state", flat=True))
    tally.notes.append(f"outbox: {dict(states)}")
    if states.get(ShipmentEvent.State.SENT, 0) != len(shipped):
        raise DrillError(f"outbox not all sent: {dict(states)}")
    return tally


def webhooks_lost(stack: Stack) -> Tally:
    shop, orders = _pushed_campaign(stack, "drill-ship-lost.myshopify.com", seed=22)
    stack.sim.fault(shop.domain, drop_webhooks_permanent=True)
    shipped = _ship_everything(stack, shop)
    dropped = sum(1 for d in stack.sim.deliveries() if d.get("dropped"))

    def all_found() -> bool:
        return len({a["fulfillment_id"] for a in _received(stack)["acknowledgements"]}) >= len(shipped)

    wait_for(all_found, timeout=90, what="the reconciliation to find every fulfilment", interval=0.5)
    events = ShipmentEvent.objects.filter(shop=shop)
    wait_for(lambda: not events.filter(state__in=OPEN).exists(), timeout=30, what="the outbox to drain")
    notes = [f"{dropped} webhook deliveries dropped by Shopify for {len(shipped)} fulfilments of {len(orders)} "
             "orders; the scheduled reconciliation read the orders updated since its last run"]  # fmt: skip
    tally = count_pushed(stack, shop, orders, notes)
    _check_each_once(stack, shipped, tally)
    sources = Counter(events.values_list("source", flat=True))
    tally.notes.append(f"outbox events by source: {dict(sources)}")
    if sources.get(ShipmentEvent.Source.WEBHOOK):
        raise DrillError(f"webhook events recorded although every delivery was dropped: {dict(sources)}")
    return tally


RECONCILE_OFTEN = (*OUTBOX_ENV, ("FULFILMENT_RECONCILE_INTERVAL_SECONDS", "4"))
DRILLS = (
    Drill(
        11,
        "backerkit-down-shipping",
        "BackerKit down during a shipping day",
        backerkit_down_during_a_shipping_day,
        options=StackOptions(backerkit=True, env=OUTBOX_ENV),
    ),  # fmt: skip
    Drill(
        12,
        "webhooks-lost",
        "Fulfilment webhooks lost, the reconciliation finds them",
        webhooks_lost,
        options=StackOptions(backerkit=True, env=RECONCILE_OFTEN),
    ),  # fmt: skip
)
