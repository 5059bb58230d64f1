"""After the push, end to end: the answer to a change's write is lost after Shopify executed it (the
simulator's ``lose_answer_after`` fault), for each kind of write: orderUpdate (address),
orderEditCommit (items), orderCancel, orderCreateManualPayment, refundCreate. Through `push_orders`,
real Celery workers, PostgreSQL, Redis and the Shopify simulator: the change ends applied exactly once
(the simulator counts one write, holds one payment or one refund), and the order is read back before
anything is sent again."""

import json
from io import StringIO

from django.core.management import call_command

from integrations.orders.models import ChangeAttempt, ChangeSettings, OrderChange, PushRecord
from tests.support.campaign_files import write_jsonl
from tests.support.change_shops import changes_shop, moved, order, sim_order, with_items

ChangeState = OrderChange.State
Outcome = ChangeAttempt.Outcome
READS = {"OrderState", "OrderOwnedFields"}
# mutation lost -> (the simulator's counter of its calls, the operation our client logs for it)
WRITES = {
    "orderUpdate": ("order_update_calls", "OrderUpdate"),
    "orderEditCommit": ("order_edit_commit_calls", "OrderEditCommit"),
    "orderCancel": ("order_cancel_calls", "OrderCancel"),
    "orderCreateManualPayment": ("manual_payment_calls", "OrderCreateManualPayment"),
    "refundCreate": ("refund_create_calls", "RefundCreate"),
}


def push_file(shop, path) -> str:
    out = StringIO()
    call_command("push_orders", shop.domain, str(path), "--connection", "Skyforge Store", "--timeout", "90",
                 stdout=out)  # fmt: skip
    return out.getvalue()


def requests_after_the_loss(log_path, domain: str, operation: str) -> list[str]:
    """The operations the workers sent for ``domain`` after the answer to ``operation`` was lost."""
    sent = []
    for line in log_path.read_text().splitlines():
        try:
            event = json.loads(line)
        except ValueError:
            continue
        if event.get("event") == "shopify.request" and event.get("shop") == domain:
            sent.append((event.get("operation"), event.get("status")))
    lost = next(i for i, (op, status) in enumerate(sent) if op == operation and status and status >= 500)
    return [op for op, _ in sent[lost + 1 :]]


def test_a_lost_answer_to_each_kind_of_write_ends_applied_once_after_reading_the_order_back(
    transactional_db, shopify_sim, push_workers, tmp_path
):
    shop = changes_shop(shopify_sim)
    ChangeSettings.objects.create(shop=shop, auto_items=True, auto_money=True, auto_cancel=True)
    first = [order("bk-address"), order("bk-items"), order("bk-cancel"), order("bk-pay", amount_paid="80.44"),
             order("bk-refund")]  # fmt: skip
    push_file(shop, write_jsonl(tmp_path / "first.jsonl", first))
    assert set(PushRecord.objects.filter(shop=shop).values_list("state", flat=True)) == {"pushed"}
    newer = {
        "orderUpdate": moved("bk-address"),
        "orderEditCommit": with_items("bk-items", [("GAME-CORE", 1, "60.00"), ("DICE-METAL", 2, "15.00")]),
        "orderCancel": order("bk-cancel", status="canceled"),
        "orderCreateManualPayment": order("bk-pay", amount_paid="90.44"),
        "refundCreate": order("bk-refund", amount_paid="80.44"),
    }

    for mutation, version in newer.items():
        counter, operation = WRITES[mutation]
        before = shopify_sim.counters()
        shopify_sim.fault(shop.domain, lose_answer_after=[mutation])

        push_file(shop, write_jsonl(tmp_path / f"{mutation}.jsonl", [version]))

        after = shopify_sim.counters()
        change = OrderChange.objects.get(shop=shop, record__backerkit_order_id=version["id"])
        assert change.state == ChangeState.APPLIED, (mutation, change.reason)
        assert after.get(f"fault_lost_answer_{mutation}", 0) - before.get(f"fault_lost_answer_{mutation}", 0) == 1
        assert after.get(counter, 0) - before.get(counter, 0) == 1, f"{mutation} was sent again"
        outcomes = list(change.change_attempts.values_list("outcome", flat=True))
        assert outcomes[0] == Outcome.AMBIGUOUS and outcomes[-1] in (Outcome.APPLIED, Outcome.FOUND_APPLIED), outcomes
        resent = requests_after_the_loss(push_workers.first.log_path, shop.domain, operation)
        assert resent and resent[0] in READS, (mutation, resent[:3])  # the order read back first
        assert operation not in resent, (mutation, resent)

    shopify = {o["source_identifier"]: o for o in shopify_sim.orders(shop.domain)}
    assert shopify["bk-address"]["shipping_address"]["city"] == "Shelbyville"
    assert sum(1 for e in shopify["bk-address"]["events"] if e["kind"] == "update") == 1
    assert shopify["bk-items"]["current_quantities"]["DICE-METAL"] == 2
    assert sum(1 for e in shopify["bk-items"]["events"] if e["kind"] == "edit") == 1
    assert shopify["bk-cancel"]["cancelled_at"]
    sales = [t for t in shopify["bk-pay"]["transactions"] if t["kind"] == "SALE"]
    assert [t["amount"] for t in sales] == ["80.44", "10.00"] and shopify["bk-pay"]["net_payment"] == "90.44"
    assert len(shopify["bk-refund"]["refunds"]) == 1 and shopify["bk-refund"]["net_payment"] == "80.44"
    assert sim_order(shopify_sim, shop.domain, "bk-refund")["outstanding"] == "0.00"
