"""Shipments and cancellations written back to BackerKit: the client against the simulator over
real HTTP (contract v1, additive: idempotent by path, typed errors, what the simulator keeps)."""

import httpx
import pytest

from integrations.backerkit.client import BackerKitClient, WriteResult
from integrations.backerkit.errors import (
    BackerKitError,
    BackerKitNotFound,
    BackerKitThrottled,
    BackerKitTransient,
    BackerKitUnauthorized,
    BackerKitUnknownOrder,
)
from integrations.backerkit.simulator import start_backerkit_simulator

KEY = "bk-key-ship"
FULFILMENT = "gid://shopify/Fulfillment/1001"


@pytest.fixture
def simulator():
    running = start_backerkit_simulator()
    running.state.add_project(id="skyforge", api_key=KEY)
    running.state.add_orders("skyforge", [{"id": "BK-1"}, {"id": "BK-2"}])
    yield running
    running.stop()


def client(simulator, key: str = KEY, project: str = "skyforge") -> BackerKitClient:
    return BackerKitClient(api_url=simulator.url, api_key=key, project=project, timeout=(1.0, 2.0))


def shipment(*, updated_at: str = "2026-12-01T10:00:00Z", number: str = "1Z999", status: str = "shipped") -> dict:
    return {
        "order_id": "BK-1",
        "shopify_order_id": "gid://shopify/Order/5",
        "shopify_fulfillment_id": FULFILMENT,
        "status": status,
        "line_items": [{"sku": "SKY-CORE", "quantity": 1}],
        "tracking": [{"number": number, "company": "UPS", "url": f"https://ups.example/{number}"}],
        "shipped_at": "2026-12-01T10:00:00Z",
        "delivery_status": None,
        "delivered_at": None,
        "updated_at": updated_at,
    }


def put(simulator, body: dict, **kw) -> WriteResult:
    return client(simulator, **kw).put_shipment(order_id=body["order_id"], fulfillment_id=FULFILMENT, shipment=body)


def test_a_shipment_is_created_then_a_repeat_is_a_no_op_and_a_newer_body_replaces_it(simulator):
    assert put(simulator, shipment()).result == "created"
    assert put(simulator, shipment()).result == "unchanged"
    assert put(simulator, shipment(updated_at="2026-12-01T11:00:00Z", number="1Z000")).result == "replaced"

    kept = simulator.state.shipments.shipments[("skyforge", "BK-1", FULFILMENT)]
    assert kept["body"]["tracking"][0]["number"] == "1Z000" and kept["versions"] == 2


def test_an_older_version_arriving_late_is_ignored(simulator):
    put(simulator, shipment(updated_at="2026-12-01T11:00:00Z", number="NEW"))
    assert put(simulator, shipment(updated_at="2026-12-01T10:00:00Z", number="OLD")).result == "stale"
    assert (
        simulator.state.shipments.shipments[("skyforge", "BK-1", FULFILMENT)]["body"]["tracking"][0]["number"] == "NEW"
    )


def test_an_unknown_order_is_its_own_typed_error_and_an_unknown_project_stays_not_found(simulator):
    body = dict(shipment(), order_id="BK-404")
    with pytest.raises(BackerKitUnknownOrder, match="BK-404"):
        client(simulator).put_shipment(order_id="BK-404", fulfillment_id=FULFILMENT, shipment=body)
    with pytest.raises(BackerKitNotFound) as raised:
        put(simulator, shipment(), project="nope")
    assert not isinstance(raised.value, BackerKitUnknownOrder)


def test_a_body_outside_the_schema_is_refused_with_backerkits_words(simulator):
    with pytest.raises(BackerKitError, match="tracking") as raised:
        put(simulator, dict(shipment(), tracking=[{"company": "UPS"}]))
    assert raised.value.status == 422 and not isinstance(raised.value, BackerKitTransient)


def test_a_cancellation_is_kept_once(simulator):
    body = {"order_id": "BK-2", "shopify_order_id": "gid://shopify/Order/6", "cancelled_at": "2026-12-01T12:00:00Z",
            "reason": "customer"}  # fmt: skip
    bk = client(simulator)
    assert bk.post_cancellation(order_id="BK-2", cancellation=body).result == "created"
    assert bk.post_cancellation(order_id="BK-2", cancellation=body).result == "unchanged"
    assert list(simulator.state.shipments.cancellations) == [("skyforge", "BK-2")]


def test_writes_fail_by_type_when_backerkit_refuses_throttles_times_out_or_is_down(simulator):
    with pytest.raises(BackerKitUnauthorized):
        put(simulator, shipment(), key="wrong")
    simulator.state.add_faults(status=429, retry_after=7)
    with pytest.raises(BackerKitThrottled) as throttled:
        put(simulator, shipment())
    assert throttled.value.retry_after == 7
    simulator.state.add_faults(timeout=2.5)
    with pytest.raises(BackerKitTransient, match="timed out"):
        put(simulator, shipment())
    httpx.post(f"{simulator.url}/_simulator/down", json={"down": True})
    with pytest.raises(BackerKitTransient, match="503"):
        put(simulator, shipment())
    httpx.post(f"{simulator.url}/_simulator/down", json={"down": False})
    assert put(simulator, shipment()).result == "created"


def test_the_simulator_counts_the_requests_it_answered_while_down(simulator):
    put(simulator, shipment())
    simulator.state.down = True
    for _ in range(2):
        with pytest.raises(BackerKitTransient):
            put(simulator, shipment())
    with pytest.raises(BackerKitTransient):
        client(simulator).project()
    simulator.state.down = False
    put(simulator, shipment())

    state = httpx.get(f"{simulator.url}/_simulator/state.json").json()
    assert (state["api_requests_while_down"], state["writes_while_down"], state["api_requests"]) == (3, 2, 5)


def test_the_inspection_page_shows_what_was_received(simulator):
    put(simulator, shipment(number="TRACK-77"))
    page = httpx.get(f"{simulator.url}/_simulator/").text
    assert "TRACK-77" in page and "BK-1" in page and "SKY-CORE x1" in page
    assert httpx.get(f"{simulator.url}/_simulator/shipments.json").json()["shipments"][0]["order_id"] == "BK-1"
