"""Records for the lane's own tests: orders imported straight into the database, no push started
(the lane under test runs in the test's thread)."""

from integrations.orders.models import PushRecord
from integrations.orders.services.imports import file_connection, import_orders
from tests.support.campaign_files import fixture_order

State = PushRecord.State

# Long enough for a lane to finish a few orders, short enough that nothing deferred is waited for.
LANE_BUDGET = 20.0


def orders(n: int, *, prefix: str = "bk", case: str = "paid", **changes) -> list[dict]:
    return [fixture_order(case, id=f"{prefix}-{i}", backer_id=f"{prefix}-backer-{i}", **changes) for i in range(n)]


def import_into(shop, batch: list[dict]):
    connection = file_connection(shop=shop, store_name="Skyforge Store")
    return import_orders(
        shop=shop, connection=connection, entries=enumerate(batch), source="file", label="test", start_push=False
    )


def states(shop) -> dict[str, str]:
    return dict(PushRecord.objects.filter(shop=shop).values_list("backerkit_order_id", "state"))
