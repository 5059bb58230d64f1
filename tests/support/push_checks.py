"""What every exactly-once push test checks: a campaign imported, pushed to the end, and each
order in Shopify once or with its reason."""

from collections import Counter

from django.core.management import call_command

from integrations.backerkit.simulator.campaign import generate_campaign
from integrations.orders.models import PushRecord
from tests.support.processes import wait_for

State = PushRecord.State


def campaign(n: int, *, prefix: str = "bk", seed: int = 7) -> list[dict]:
    orders = generate_campaign(backers=n, seed=seed, id_prefix=prefix)
    return orders


def import_file(shop, path, *extra) -> None:
    call_command("push_orders", shop.domain, str(path), "--connection", "Skyforge Store", "--no-wait", *extra)


def wait_all_final(shop, *, timeout: float = 120) -> None:
    wait_for(
        lambda: not PushRecord.objects.filter(shop=shop).exclude(state__in=PushRecord.FINAL_STATES).exists(),
        timeout=timeout,
        what="every record to be final",
        interval=0.2,
    )


def assert_each_order_once(shopify_sim, shop, orders: list[dict]) -> None:
    created = Counter(o["source_identifier"] for o in shopify_sim.orders(shop.domain))
    duplicated = {k: n for k, n in created.items() if n > 1}
    assert not duplicated, f"orders created more than once: {duplicated}"
    records = dict(PushRecord.objects.filter(shop=shop).values_list("backerkit_order_id", "state"))
    for order in orders:
        state = records.get(order["id"])
        assert state is not None, f"{order['id']} was lost"
        if state == State.PUSHED:
            assert created[order["id"]] == 1, f"{order['id']} is pushed but not in Shopify"
        else:
            assert created[order["id"]] == 0
            assert PushRecord.objects.get(shop=shop, backerkit_order_id=order["id"]).last_error
