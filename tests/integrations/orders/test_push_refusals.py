"""What Shopify refuses, end to end (file -> records -> real workers -> the Shopify simulator): each
refusal reaches its own outcome, is sent no more often than the rule says, and leaves the rest of
the campaign pushed."""

from io import StringIO

from django.core.management import call_command

from integrations.orders.models import PushAttempt, PushRecord
from tests.support.campaign_files import fixture_order, write_jsonl

State = PushRecord.State
Outcome = PushAttempt.Outcome
CASES = ["paid", "partially_paid", "no_tax"]


def push_file(sim_shop, path, *, timeout: int = 90) -> str:
    out = StringIO()
    call_command("push_orders", sim_shop.domain, str(path), "--connection", "Skyforge Store", "--timeout", str(timeout),
                 stdout=out)  # fmt: skip
    return out.getvalue()


def campaign_file(tmp_path) -> tuple[list[str], object]:
    orders = [fixture_order(case) for case in CASES]
    return [o["id"] for o in orders], write_jsonl(tmp_path / "campaign.jsonl", orders)


def outcomes_of(sim_shop, order_id: str) -> list[str]:
    return list(
        PushAttempt.objects.filter(record__shop=sim_shop, record__backerkit_order_id=order_id)
        .order_by("finished_at", "id")
        .values_list("outcome", flat=True)
    )


def test_shopify_user_errors_make_the_order_need_attention_with_shopifys_reason(
    sim_shop, shopify_sim, push_workers, tmp_path
):
    ids, path = campaign_file(tmp_path)
    shopify_sim.fault(sim_shop.domain, user_errors_for=["bk-partially-paid"])

    push_file(sim_shop, path)

    refused = PushRecord.objects.get(shop=sim_shop, backerkit_order_id="bk-partially-paid")
    assert refused.state == State.NEEDS_ATTENTION
    assert refused.last_error == (
        "Shopify refused the order: Shipping address zip is invalid (order.shippingAddress.zip)"
    )
    assert outcomes_of(sim_shop, "bk-partially-paid") == [Outcome.USER_ERRORS]
    assert shopify_sim.counters()["fault_user_errors"] == 1  # asked once: never retried blindly
    assert sorted(o["source_identifier"] for o in shopify_sim.orders(sim_shop.domain)) == sorted(
        i for i in ids if i != "bk-partially-paid"
    )


def test_a_variant_re_created_after_lookup_is_looked_up_again_and_the_order_pushed_once(
    sim_shop, shopify_sim, push_workers, tmp_path
):
    ids, path = campaign_file(tmp_path)
    shopify_sim.fault(sim_shop.domain, replace_variants_after_lookup=["GAME-CORE"])  # every order has it

    push_file(sim_shop, path)

    assert shopify_sim.counters()["fault_variant_replaced"] == 1
    [game] = [v for v in shopify_sim.state()["shops"][0]["variants"] if v["sku"] == "GAME-CORE"]
    created = shopify_sim.orders(sim_shop.domain)
    assert sorted(o["source_identifier"] for o in created) == sorted(ids)
    for order in created:
        assert game["id"] in [line["variant_id"] for line in order["line_items"]]  # the new variant
    for order_id in ids:
        record = PushRecord.objects.get(shop=sim_shop, backerkit_order_id=order_id)
        assert record.state == State.PUSHED, record.last_error
        # Refused once for the stale variant, then created with the fresh one.
        assert outcomes_of(sim_shop, order_id) == [Outcome.USER_ERRORS, Outcome.CREATED]


def test_a_request_shopify_refuses_as_invalid_fails_the_order_without_retrying(
    sim_shop, shopify_sim, push_workers, tmp_path
):
    ids, path = campaign_file(tmp_path)
    shopify_sim.fault(sim_shop.domain, invalid_variables_for=["bk-no-tax"])

    push_file(sim_shop, path)

    refused = PushRecord.objects.get(shop=sim_shop, backerkit_order_id="bk-no-tax")
    assert refused.state == State.FAILED
    assert refused.last_error.startswith("Shopify refused the request: ")
    assert "currency" in refused.last_error  # Shopify's own words: what it refused
    assert outcomes_of(sim_shop, "bk-no-tax") == [Outcome.INVALID]
    assert shopify_sim.counters()["fault_invalid_variables"] == 1
    assert len(shopify_sim.orders(sim_shop.domain)) == len(ids) - 1
