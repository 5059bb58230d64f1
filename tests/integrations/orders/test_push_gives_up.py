"""Shopify failing for one order: the push gives up on it after PUSH_MAX_ATTEMPTS, with a reason the
merchant can read, instead of retrying it forever. An order whose answer may have been lost stays
marked as sent, so a retry looks it up first and nothing is ever created twice.

(A Shopify failing every request, its variant query included, is an outage of the shop, not of an
order: the batch is handed back and waits, counted against no order: tests/integrations/orders/services.)"""

from django.core.management import call_command

from integrations.orders.models import PushAttempt, PushRecord
from integrations.orders.services.variants import resolve_variants
from integrations.shops.tokens.access import admin_client_for
from tests.support.campaign_files import fixture_order, write_jsonl
from tests.support.processes import free_port, wait_for
from tests.support.push_workers import push_worker_env

State = PushRecord.State


def test_an_unreachable_shopify_gives_up_after_the_maximum_attempts_with_a_reason(
    sim_shop, shopify_sim, worker_factory, shopify_simulator, backerkit_sim, tmp_path
):
    order = fixture_order("paid")
    # The variants were looked up (and cached) while Shopify answered; then nothing listens where
    # the worker sends: every orderCreate fails to connect, so nothing can have reached Shopify.
    resolve_variants(client=admin_client_for(shop_id=sim_shop.id), skus=[i["sku"] for i in order["items"]])
    env = push_worker_env(shopify_simulator, backerkit_sim)
    env["SHOPIFY_ORIGIN_TEMPLATE"] = f"http://127.0.0.1:{free_port()}/{{shop}}"
    worker_factory(name="give-up", concurrency=4, beat=True, PUSH_MAX_ATTEMPTS="3", **env)

    call_command("push_orders", sim_shop.domain, str(write_jsonl(tmp_path / "one.jsonl", [order])),
                 "--connection", "Skyforge Store", "--no-wait")  # fmt: skip
    wait_for(
        lambda: PushRecord.objects.filter(shop=sim_shop, state__in=PushRecord.FINAL_STATES).exists(),
        timeout=60,
        what="the push to give up",
    )

    record = PushRecord.objects.get(shop=sim_shop)
    assert record.state == State.FAILED
    assert record.attempts == 3
    assert record.last_error.startswith("Shopify kept failing after 3 attempts (OrderCreate: cannot connect")
    assert list(record.push_attempts.values_list("outcome", flat=True)) == [PushAttempt.Outcome.TRANSIENT] * 3
    assert shopify_sim.orders(sim_shop.domain) == []


def test_an_order_shopify_keeps_failing_gives_up_after_the_maximum_attempts_still_marked_as_sent(
    sim_shop, shopify_sim, worker_factory, shopify_simulator, backerkit_sim, tmp_path
):
    worker_factory(name="give-up", concurrency=4, beat=True, PUSH_MAX_ATTEMPTS="3",
                   **push_worker_env(shopify_simulator, backerkit_sim))  # fmt: skip
    # A first order pushed: its variants are cached, so the next push needs Shopify for orderCreate only.
    warm = write_jsonl(tmp_path / "warm.jsonl", [fixture_order("paid", id="bk-warm")])
    call_command("push_orders", sim_shop.domain, str(warm), "--connection", "Skyforge Store", "--timeout", "60")
    shopify_sim.fault(sim_shop.domain, http_5xx_permanent=True)

    path = write_jsonl(tmp_path / "one.jsonl", [fixture_order("paid", id="bk-failing")])
    call_command("push_orders", sim_shop.domain, str(path), "--connection", "Skyforge Store", "--no-wait")
    wait_for(
        lambda: PushRecord.objects.filter(shop=sim_shop, backerkit_order_id="bk-failing",
                                          state__in=PushRecord.FINAL_STATES).exists(),
        timeout=90,
        what="the push to give up",
    )  # fmt: skip

    record = PushRecord.objects.get(shop=sim_shop, backerkit_order_id="bk-failing")
    assert record.state == State.FAILED
    assert "after 3 attempts" in record.last_error and "looks it up first" in record.last_error
    assert record.last_sent_at is not None  # a retry looks the order up before any resend
    outcomes = list(record.push_attempts.values_list("outcome", flat=True))
    assert outcomes[0] == PushAttempt.Outcome.AMBIGUOUS and len(outcomes) == 3
    assert shopify_sim.counters()["fault_http_5xx"] >= 3
    assert [o["source_identifier"] for o in shopify_sim.orders(sim_shop.domain)] == ["bk-warm"]
