"""The embedded default survives what production survives: the fault tests of
test_push_exactly_once.py, run by ``push_orders`` in its own process with no REDIS_URL (so no
Celery worker, no beat, no Redis: the app's local worker does the work), on the test PostgreSQL
database, against the Shopify simulator. Each order ends in Shopify exactly once, and the command
never waits on work that nothing will do."""

from integrations.orders.models import OrderChange, PushRecord
from integrations.orders.services import lifecycle
from integrations.shops.models import Shop
from tests.support.campaign_files import write_jsonl
from tests.support.change_shops import changes_shop, moved, order, sim_order
from tests.support.embedded_default import assert_all_pushed_once, embedded_push_orders, seeded
from tests.support.push_checks import campaign
from tests.support.reconnect import reconnect

State = PushRecord.State


def test_a_5xx_storm_at_the_start_of_a_push_is_ridden_out_in_the_embedded_default(
    sim_shop, shopify_sim, shopify_simulator, tmp_path
):
    seeded(shopify_sim, sim_shop)
    orders = campaign(30)
    shopify_sim.fault(sim_shop.domain, http_5xx=40)

    result = embedded_push_orders(sim_shop, write_jsonl(tmp_path / "c.jsonl", orders), shopify_simulator)

    assert "pushed: 30" in result.stdout
    assert_all_pushed_once(shopify_sim, sim_shop, orders)


def test_dropped_connections_after_create_are_resolved_by_lookup_in_the_embedded_default(
    sim_shop, shopify_sim, shopify_simulator, tmp_path
):
    seeded(shopify_sim, sim_shop)
    orders = campaign(30)
    shopify_sim.fault(sim_shop.domain, drop_connection=4, drop_when="after")

    embedded_push_orders(sim_shop, write_jsonl(tmp_path / "c.jsonl", orders), shopify_simulator)

    assert_all_pushed_once(shopify_sim, sim_shop, orders)


def test_lost_answers_while_search_lags_are_found_not_resent_in_the_embedded_default(
    sim_shop, shopify_sim, shopify_simulator, tmp_path
):
    seeded(shopify_sim, sim_shop, search_index_delay_seconds=1.5)
    orders = campaign(30)
    shopify_sim.fault(sim_shop.domain, timeout_after_create=5, hold_seconds=4)

    embedded_push_orders(sim_shop, write_jsonl(tmp_path / "c.jsonl", orders), shopify_simulator)

    assert_all_pushed_once(shopify_sim, sim_shop, orders)
    found = PushRecord.objects.filter(shop=sim_shop, push_attempts__outcome="found_existing").distinct().count()
    assert found == 5


def test_throttling_on_a_standard_shop_is_waited_out_in_the_embedded_default(
    sim_shop, shopify_sim, shopify_simulator, tmp_path
):
    seeded(shopify_sim, sim_shop, plan="standard")
    shopify_sim.set_bucket(sim_shop.domain, 60)  # nearly empty: Shopify throttles at once
    orders = campaign(30)

    embedded_push_orders(sim_shop, write_jsonl(tmp_path / "c.jsonl", orders), shopify_simulator)

    assert_all_pushed_once(shopify_sim, sim_shop, orders)
    assert not PushRecord.objects.filter(shop=sim_shop, state=State.FAILED).exists()


def test_a_revoked_token_pauses_the_embedded_push_which_resumes_after_reconnect(
    sim_shop, shopify_sim, shopify_simulator, client, tmp_path
):
    seeded(shopify_sim, sim_shop)
    orders = campaign(30)
    path = write_jsonl(tmp_path / "c.jsonl", orders)
    shopify_sim.fault(sim_shop.domain, revoke_after=10)

    first = embedded_push_orders(sim_shop, path, shopify_simulator)

    sim_shop.refresh_from_db()
    assert sim_shop.status == Shop.Status.DISCONNECTED
    assert "they resume after Reconnect" in first.stdout
    assert PushRecord.objects.filter(shop=sim_shop, state=State.PAUSED).exists()
    assert not PushRecord.objects.filter(shop=sim_shop, state=State.FAILED).exists()

    reconnect(client, sim_shop)
    # What the reconnect queues (orders.resume_paused_pushes): the embedded web process's local
    # worker would run it; this test process has a broker and no worker, so it runs it here.
    lifecycle.resume_shop(shop_id=sim_shop.id)
    embedded_push_orders(sim_shop, path, shopify_simulator)

    assert_all_pushed_once(shopify_sim, sim_shop, orders)


def test_address_changes_whose_answers_are_lost_apply_once_in_the_embedded_default(
    transactional_db, shopify_sim, shopify_simulator, tmp_path
):
    shop = changes_shop(shopify_sim)
    ids = [f"bk-emb-{n}" for n in range(12)]
    embedded_push_orders(shop, write_jsonl(tmp_path / "first.jsonl", [order(i) for i in ids]), shopify_simulator)
    shopify_sim.fault(shop.domain, drop_connection=4, drop_when="after")  # executed, answer lost

    newer = [moved(i, updated_at="2026-12-01T10:00:00Z") for i in ids]
    embedded_push_orders(shop, write_jsonl(tmp_path / "newer.jsonl", newer), shopify_simulator)

    assert shopify_sim.state()["shops"][0]["faults"]["drop_connection"] == 0  # every lost answer happened
    states = set(OrderChange.objects.filter(shop=shop).values_list("state", flat=True))
    assert states == {OrderChange.State.APPLIED} and OrderChange.objects.filter(shop=shop).count() == len(ids)
    for order_id in ids:
        shopify_order = sim_order(shopify_sim, shop.domain, order_id)
        assert shopify_order["shipping_address"]["city"] == "Shelbyville"
        updates = [e for e in shopify_order["events"] if e["actor"] == "app" and e["kind"] == "update"]
        assert len(updates) == 1, (order_id, updates)
