"""The sweeper kicks each shop with claimable work once per sweep, however many records wait."""

from integrations.orders.services.sweeper import sweep
from tests.support.push_records import connection, plain_shop, record


def test_a_sweep_kicks_each_shop_once_whatever_its_number_of_pending_records(db):
    shops = [plain_shop(f"sweep-{n}.myshopify.com") for n in range(2)]
    for shop in shops:
        conn = connection(shop)
        for n in range(5):
            record(shop, conn, f"{shop.domain}-{n}")

    assert sweep() == {"recovered": 0, "shops_kicked": 2}
