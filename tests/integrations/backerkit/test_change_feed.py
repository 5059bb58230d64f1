"""The change feed (``updated_since``): the simulator serves it and changes orders on demand; the
client reads it over loopback HTTP with the same typed errors as every call."""

import httpx
import pytest

from integrations.backerkit.client import BackerKitClient, OrderPage
from integrations.backerkit.errors import BackerKitError, BackerKitTransient, BackerKitUnauthorized
from integrations.backerkit.orders import validate_order
from integrations.backerkit.simulator import start_backerkit_simulator
from integrations.backerkit.simulator.campaign import generate_campaign

API_KEY = "bk-feed-key"


@pytest.fixture
def simulator():
    running = start_backerkit_simulator()
    running.state.add_project(id="skyforge", api_key=API_KEY, currency="USD")
    running.state.add_orders("skyforge", generate_campaign(backers=5, seed=3))
    yield running
    running.stop()


@pytest.fixture
def client(simulator):
    with BackerKitClient(api_url=simulator.url, api_key=API_KEY, project="skyforge", timeout=(1.0, 5.0)) as bk:
        yield bk


def _ids(page: OrderPage) -> list[str]:
    return [o["id"] for o in page.orders]


def _control(simulator, path: str, body: dict | None = None) -> httpx.Response:
    return httpx.post(f"{simulator.url}/_simulator/projects/skyforge/orders/{path}", json=body or {})


def test_the_feed_from_the_start_lists_every_locked_order_once(client, simulator):
    pages = list(client.iter_changed_orders(limit=2))

    ids = [i for page in pages for i in _ids(page)]
    assert len(ids) == 5 == len(set(ids))
    assert [page.has_more for page in pages] == [True, True, False]


def test_after_the_cursor_the_feed_holds_exactly_the_changed_canceled_and_refunded_orders(client, simulator):
    *_, last = client.iter_changed_orders()
    cursor = last.next_cursor
    first, second, third = _ids(last)[:3]

    changed = _control(simulator, f"{first}/change", {"shipping_address": {"address1": "2 New Street"}}).json()
    _control(simulator, f"{second}/cancel")
    _control(simulator, f"{third}/refund")
    _control(simulator, f"{first}/change", {"email": "moved@example.com"})  # changed twice: listed once

    page = client.changed_orders_page(updated_since=cursor)

    assert _ids(page) == [second, third, first] and page.has_more is False
    orders = {o["id"]: validate_order(o) for o in page.orders}
    assert orders[first].shipping_address.address1 == "2 New Street" and orders[first].email == "moved@example.com"
    assert changed["shipping_address"]["city"]  # the address was merged, not replaced
    assert orders[second].status == "canceled"
    assert (orders[third].status, str(orders[third].amount_paid)) == ("refunded", "0.00")
    assert orders[second].updated_at < orders[third].updated_at < orders[first].updated_at
    assert client.changed_orders_page(updated_since=page.next_cursor).orders == []


def test_a_partial_refund_lowers_amount_paid_and_keeps_the_order_locked(client, simulator):
    order = client.changed_orders_page(updated_since=None, limit=1).orders[0]
    paid = order["amount_paid"]

    refunded = _control(simulator, f"{order['id']}/refund", {"amount": "1.00"}).json()

    assert refunded["status"] == "locked"
    assert float(refunded["amount_paid"]) == pytest.approx(float(paid) - 1)


def test_canceled_and_refunded_orders_leave_the_locked_listing(client, simulator):
    ids = [i for page in client.iter_locked_orders() for i in _ids(page)]
    _control(simulator, f"{ids[0]}/cancel")

    assert [i for page in client.iter_locked_orders() for i in _ids(page)] == ids[1:]


def test_the_control_api_refuses_unknown_orders_and_impossible_refunds(simulator, client):
    some = _ids(client.changed_orders_page(updated_since=None, limit=1))[0]

    assert _control(simulator, "nope/cancel").status_code == 404
    assert _control(simulator, f"{some}/refund", {"amount": "999999.00"}).status_code == 400
    assert _control(simulator, f"{some}/change", {"status": "shipped"}).status_code == 400


def test_a_cursor_of_the_locked_listing_is_not_a_feed_cursor(client):
    listing_cursor = client.locked_orders_page(since=None).next_cursor

    with pytest.raises(BackerKitError) as refused:
        client.changed_orders_page(updated_since=listing_cursor)

    assert refused.value.status == 400


def test_feed_errors_are_the_typed_errors_of_every_call(simulator, client):
    simulator.state.add_faults(status=503)
    with pytest.raises(BackerKitTransient):
        client.changed_orders_page(updated_since=None)
    wrong = BackerKitClient(api_url=simulator.url, api_key="wrong", project="skyforge", timeout=(1.0, 5.0))
    with pytest.raises(BackerKitUnauthorized):
        wrong.changed_orders_page(updated_since=None)


def test_the_feed_cannot_be_mixed_with_the_locked_listing_parameters(simulator):
    answer = httpx.get(
        f"{simulator.url}/v1/projects/skyforge/orders",
        params={"updated_since": "", "status": "locked"},
        headers={"Authorization": f"Bearer {API_KEY}"},
    )
    assert answer.status_code == 400


def test_the_inspection_page_changes_cancels_and_refunds_through_its_forms(simulator, client):
    some = _ids(client.changed_orders_page(updated_since=None, limit=1))[0]
    page = httpx.get(simulator.url + "/").text
    assert f"/_simulator/projects/skyforge/orders/{some}/cancel" in page

    answer = httpx.post(
        f"{simulator.url}/_simulator/projects/skyforge/orders/{some}/change", data={"shipping_address.city": "Salem"}
    )

    assert answer.status_code == 303
    assert simulator.state.project("skyforge").orders[some]["shipping_address"]["city"] == "Salem"
