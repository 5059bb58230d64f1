"""Drill 9: BackerKit refuses the key mid-pull. The merchant regenerates the project's key in
BackerKit while the app is pulling: the pull stops at the page BackerKit refused, the connection
stops with its reason (nothing pulls it meanwhile), the orders already pulled are pushed; the
merchant enters the new key, the pull resumes from its cursor, and every order is pushed once."""

import httpx

from drills.drill import Drill
from drills.pushing import count_pushed, wait_settled
from drills.shops import open_shop
from drills.stack import BACKERKIT_KEY, BACKERKIT_PROJECT, DrillError, Stack, StackOptions
from drills.tally import Tally
from harness.waiting import wait_for
from integrations.backerkit.simulator.campaign import generate_campaign
from integrations.orders.models import BackerKitConnection, PushRecord
from integrations.orders.services.pull import connections_due, update_api_key

CAMPAIGN = 300
PAGE_SIZE = 50  # six pages
PAGES_BEFORE_REFUSAL = 3
NEW_KEY = "bk_drill_key_regenerated_987654"  # the simulator's key, not a credential


def backerkit_key_refused_mid_pull(stack: Stack) -> Tally:
    from shopapp.celery import app

    domain = "drill-backerkit-key.myshopify.com"
    shop = open_shop(stack, domain)
    orders = generate_campaign(backers=CAMPAIGN, seed=9, id_prefix="bkkey")
    stack.expectation.order_ids = [o["id"] for o in orders]
    with httpx.Client(base_url=stack.backerkit_url, timeout=60) as backerkit:
        backerkit.post(f"/_simulator/projects/{BACKERKIT_PROJECT}/orders", json={"orders": orders}).raise_for_status()
        # The merchant regenerates the key in BackerKit while the app is on page 3 of 6.
        backerkit.post(f"/_simulator/projects/{BACKERKIT_PROJECT}/api_key",
                       json={"api_key": NEW_KEY, "after": PAGES_BEFORE_REFUSAL}).raise_for_status()  # fmt: skip
    connection = BackerKitConnection.objects.create(
        shop=shop, kind=BackerKitConnection.Kind.API, store_name="Skyforge Store", project=BACKERKIT_PROJECT,
        api_key=BACKERKIT_KEY, currency="USD",
    )  # fmt: skip

    app.send_task("orders.pull_connection", args=[connection.id])  # what Fetch and the schedule queue
    wait_for(lambda: _status(connection) == BackerKitConnection.Status.REFUSED, timeout=90,
             what="the connection to stop on the refused key", interval=0.25)  # fmt: skip
    connection.refresh_from_db()
    pulled = PushRecord.objects.filter(connection=connection).count()
    if "refused the API key" not in connection.stopped_reason:
        raise DrillError(f"the connection stopped without the reason: {connection.stopped_reason!r}")
    if pulled != PAGES_BEFORE_REFUSAL * PAGE_SIZE:
        raise DrillError(f"{pulled} orders pulled before the refusal, expected {PAGES_BEFORE_REFUSAL * PAGE_SIZE}")
    if connection.id in connections_due():
        raise DrillError("the schedule would still pull a connection whose key BackerKit refuses")
    wait_settled(stack, shop, records=pulled, timeout=120)  # what was pulled is pushed meanwhile
    notes = [f"key regenerated in BackerKit on page {PAGES_BEFORE_REFUSAL + 1} of {CAMPAIGN // PAGE_SIZE}: "
             f"connection stopped ({connection.stopped_reason.split('.')[0]!r}) with {pulled} orders pulled "
             "and pushed; the merchant entered the new key"]  # fmt: skip

    update_api_key(connection_id=connection.id, api_key=NEW_KEY)  # the merchant pastes the new key
    app.send_task("orders.pull_connection", args=[connection.id])
    wait_settled(stack, shop, records=len(orders), timeout=150)

    with httpx.Client(base_url=stack.backerkit_url, timeout=60) as backerkit:
        # The locked listing's requests: the change feed a pull reads after it is not a page pulled again.
        requests = backerkit.get("/_simulator/state.json").json()["listing_requests"]
    tally = count_pushed(stack, shop, orders, notes)
    records = PushRecord.objects.filter(shop=shop).count()
    tally.notes.append(f"{records} records for {len(orders)} orders; {requests} BackerKit listing requests "
                       f"({CAMPAIGN // PAGE_SIZE} pages, one refused: no page pulled twice)")  # fmt: skip
    if records != len(orders):
        raise DrillError(f"{records} push records for {len(orders)} orders")
    if requests != CAMPAIGN // PAGE_SIZE + 1:
        raise DrillError(f"{requests} BackerKit listing requests for {CAMPAIGN // PAGE_SIZE} pages: the pull restarted")
    return tally


def _status(connection: BackerKitConnection) -> str:
    return BackerKitConnection.objects.filter(id=connection.id).values_list("status", flat=True).first() or ""


DRILLS = (
    Drill(
        10,
        "backerkit-key-refused",
        "BackerKit refuses the key mid-pull, new key",
        backerkit_key_refused_mid_pull,
        options=StackOptions(backerkit=True, env=(("BACKERKIT_PAGE_SIZE", str(PAGE_SIZE)),)),
    ),  # fmt: skip
)
