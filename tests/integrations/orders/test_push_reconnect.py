"""A token revoked mid-batch: the shop is disconnected with its reason, its orders pause (not
failed, not lost), the merchant reconnects through the install flow, and the push resumes by
itself with nothing lost or doubled. Real workers, PostgreSQL, Redis and the Shopify simulator."""

from django.core.management import call_command

from integrations.backerkit.simulator.campaign import generate_campaign, sample_catalog
from integrations.orders.models import PushRecord
from integrations.shops.models import Shop
from tests.support.campaign_files import write_jsonl
from tests.support.processes import wait_for
from tests.support.push_checks import assert_each_order_once, wait_all_final
from tests.support.reconnect import reconnect

State = PushRecord.State


def test_revoked_token_mid_batch_pauses_then_reconnect_resumes_with_nothing_lost_or_doubled(
    sim_shop, shopify_sim, push_workers, client, tmp_path
):
    shopify_sim.seed_products(sim_shop.domain, sample_catalog())
    orders = generate_campaign(backers=60, seed=3)
    shopify_sim.fault(sim_shop.domain, revoke_after=15)

    call_command("push_orders", sim_shop.domain, str(write_jsonl(tmp_path / "c.jsonl", orders)),
                 "--connection", "Skyforge Store", "--no-wait")  # fmt: skip

    wait_for(lambda: Shop.objects.get(id=sim_shop.id).status == Shop.Status.DISCONNECTED, timeout=60,
             what="the shop to be disconnected")  # fmt: skip
    wait_for(
        lambda: not PushRecord.objects.filter(shop=sim_shop, state__in=[State.PENDING, State.PUSHING]).exists(),
        timeout=60,
        what="the push to pause",
    )
    sim_shop.refresh_from_db()
    assert sim_shop.disconnected_reason
    paused = PushRecord.objects.filter(shop=sim_shop, state=State.PAUSED).count()
    assert paused > 0
    assert not PushRecord.objects.filter(shop=sim_shop, state=State.FAILED).exists()

    reconnect(client, sim_shop)

    wait_all_final(sim_shop)
    assert Shop.objects.get(id=sim_shop.id).status == Shop.Status.CONNECTED
    assert_each_order_once(shopify_sim, sim_shop, orders)
    assert PushRecord.objects.filter(shop=sim_shop, state=State.PUSHED).count() == len(orders)
