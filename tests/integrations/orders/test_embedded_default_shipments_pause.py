"""The shipments outbox's pause in the embedded default: the web process with no REDIS_URL (gunicorn
on ``shopapp.wsgi``: its local worker and beat's schedule inside it) receives the Shopify
simulator's signed fulfillments/create webhooks over real HTTP while the BackerKit simulator is
down. The shipments wait (the connection paused, only its probes reach BackerKit), then BackerKit
comes back and each shipment reaches it exactly once: the probe and the drain run on the local
worker's countdowns and its in-process sweep, with no Celery worker, beat or Redis. On the test
PostgreSQL database as the other embedded tests, and on SQLite, the product's default. A web process
killed while paused takes the probe's countdown with it: the next one's sweep probes and drains."""

from collections import Counter
from urllib.parse import unquote

import pytest
from django.conf import settings

from integrations.orders.models import ShipmentEvent
from tests.support.campaign_files import write_jsonl
from tests.support.embedded_default import embedded_push_orders, embedded_web
from tests.support.embedded_shipping import DOMAIN, KEY, PROJECT, EmbeddedStore, open_store
from tests.support.processes import wait_for
from tests.support.push_checks import campaign
from tests.support.shipping import created_per_fulfilment

Event = ShipmentEvent.State
ORDERS = 12
# Probes every 0.5-1 s while down; the sweep looks for lost probes and messages every 2 s; a send
# (or a probe) whose process died is given up after 3 s.
OUTBOX = {"SHIPMENT_BACKOFF_SECONDS": "0.5", "SHIPMENT_BACKOFF_MAX_SECONDS": "1",
          "SHIPMENT_SWEEP_INTERVAL_SECONDS": "2", "SHIPMENT_SWEEP_AFTER_SECONDS": "2",
          "SHIPMENT_SEND_LEASE_SECONDS": "3", "SHIPMENT_RESUME_BATCH": "5",
          "SHIPMENT_RESUME_PAUSE_SECONDS": "0.1"}  # fmt: skip


def shipment_puts(backerkit_sim, *, while_down: bool) -> Counter:
    """PUTs of a shipment that reached BackerKit while it was down (each answered 503), or while it
    was up, per fulfilment id."""
    return Counter(
        unquote(r["path"].split("/shipments/", 1)[1])
        for r in backerkit_sim.state.api_requests()
        if r["method"] == "PUT" and "/shipments/" in r["path"] and r["while_down"] == while_down
    )


def pushed_store(database, shopify_sim, shopify_simulator, backerkit_sim, tmp_path) -> EmbeddedStore:
    """ORDERS orders pushed by the embedded ``push_orders``, for a BackerKit project that holds them."""
    store = open_store(database, shopify_sim, tmp_path)
    orders = campaign(ORDERS, prefix="emb-ship")
    backerkit_sim.state.add_project(id=PROJECT, api_key=KEY, name="Skyforge", currency="USD")
    backerkit_sim.state.add_orders(PROJECT, orders)
    embedded_push_orders(DOMAIN, write_jsonl(tmp_path / "c.jsonl", orders), shopify_simulator,
                         database_url=store.database_url)  # fmt: skip
    assert len(store.pushed_orders()) == ORDERS
    return store


def ship_all(shopify_sim, store: EmbeddedStore) -> list[str]:
    """The warehouse fulfils every order; Shopify's fulfillments/create reaches the app at once."""
    fids = []
    for n, gid in enumerate(store.pushed_orders()):
        tracking = [{"number": f"1ZEMB{n:04d}", "company": "UPS", "url": None}]
        answer = shopify_sim.fulfil(DOMAIN, gid.rsplit("/", 1)[1], tracking=tracking)
        assert [d["status"] for d in answer["deliveries"] if d["topic"] == "fulfillments/create"] == [200]
        fids.append(answer["fulfillment"]["admin_graphql_api_id"])
    return fids


def wait_paused(store: EmbeddedStore, *, probes: int) -> None:
    wait_for(lambda: store.events()[Event.WAITING] == ORDERS and store.pause()[2] >= probes, timeout=30,
             what="every shipment to wait while the paused outbox probes BackerKit")  # fmt: skip
    wait_for(lambda: not store.events()[Event.SENDING], timeout=10, what="no send under way")


def assert_each_arrived_once(backerkit_sim, fids: list[str]) -> None:
    after = shipment_puts(backerkit_sim, while_down=False)
    assert sorted(after) == sorted(fids) and set(after.values()) == {1}  # one PUT each once it is back
    created = created_per_fulfilment(backerkit_sim)
    assert sorted(fid for _, fid in created) == sorted(fids) and set(created.values()) == {1}


@pytest.mark.parametrize("database", ["postgresql", "sqlite"])
def test_shipments_made_while_backerkit_is_down_wait_on_probes_then_arrive_once_in_the_embedded_default(
    database, transactional_db, shopify_sim, shopify_simulator, backerkit_sim, artifacts_dir, tmp_path
):
    store = pushed_store(database, shopify_sim, shopify_simulator, backerkit_sim, tmp_path)
    web = embedded_web(shopify_simulator, backerkit_sim, database_url=store.database_url,
                       log_path=artifacts_dir / f"embedded-web-shipments-{database}.log", **OUTBOX)  # fmt: skip
    try:
        shopify_sim.configure(app_url=web.url)
        backerkit_sim.state.down = True
        fids = ship_all(shopify_sim, store)
        wait_paused(store, probes=4)

        down = shipment_puts(backerkit_sim, while_down=True)
        paused, reason, failures = store.pause()
        attempts, tried = store.attempts()
        assert paused and reason == "down"
        # The sends in flight when the pause began (one per local worker thread at most), then one
        # probe at a time: never one per shipment per try, and no try unaccounted for.
        threads = settings.LOCAL_WORKER_THREADS
        assert sum(down.values()) <= threads + failures + 1 and tried <= threads + 1
        assert attempts == sum(down.values())
        assert store.events() == {Event.WAITING: ORDERS} and not backerkit_sim.state.shipments.shipments

        backerkit_sim.state.down = False
        wait_for(lambda: store.events() == {Event.SENT: ORDERS}, timeout=45, what="every shipment to be sent")
    finally:
        web.stop()

    assert_each_arrived_once(backerkit_sim, fids)
    assert store.pause() == (False, "", 0)


def test_a_web_process_killed_while_the_outbox_is_paused_leaves_the_probe_to_the_next_ones_sweep(
    transactional_db, shopify_sim, shopify_simulator, backerkit_sim, artifacts_dir, tmp_path
):
    """The probe's countdown lives in the local worker's memory and dies with the process: the next
    web process's in-process beat finds the overdue pause, probes, and drains."""
    store = pushed_store("sqlite", shopify_sim, shopify_simulator, backerkit_sim, tmp_path)
    first = embedded_web(shopify_simulator, backerkit_sim, database_url=store.database_url,
                         log_path=artifacts_dir / "embedded-web-killed.log", **OUTBOX)  # fmt: skip
    try:
        shopify_sim.configure(app_url=first.url)
        backerkit_sim.state.down = True
        fids = ship_all(shopify_sim, store)
        wait_paused(store, probes=2)
    finally:
        first.kill()
    backerkit_sim.state.down = False

    second = embedded_web(shopify_simulator, backerkit_sim, database_url=store.database_url,
                          log_path=artifacts_dir / "embedded-web-restarted.log", **OUTBOX)  # fmt: skip
    try:
        wait_for(lambda: store.events() == {Event.SENT: ORDERS}, timeout=45, what="every shipment to be sent")
    finally:
        second.stop()

    assert_each_arrived_once(backerkit_sim, fids)
    assert store.pause() == (False, "", 0)
