"""The BackerKit client against the BackerKit simulator over real HTTP (loopback only)."""

import logging

import pytest

from integrations.backerkit.client import BackerKitClient, BackerKitProject
from integrations.backerkit.errors import (
    BackerKitError,
    BackerKitNotFound,
    BackerKitThrottled,
    BackerKitTransient,
    BackerKitUnauthorized,
)
from integrations.backerkit.simulator import start_backerkit_simulator
from integrations.backerkit.simulator.campaign import generate_campaign
from tests.support.processes import free_port

API_KEY = "bk-test-key-123"


@pytest.fixture
def simulator():
    running = start_backerkit_simulator()
    running.state.add_project(id="skyforge", api_key=API_KEY, name="Skyforge", currency="USD")
    yield running
    running.stop()


def client_for(simulator, *, api_key: str = API_KEY, project: str = "skyforge") -> BackerKitClient:
    return BackerKitClient(api_url=simulator.url, api_key=api_key, project=project, timeout=(1.0, 5.0))


def test_project_answers_name_and_currency_for_test_connection(simulator):
    assert client_for(simulator).project() == BackerKitProject(id="skyforge", name="Skyforge", currency="USD")


def test_locked_orders_are_pulled_page_by_page_with_the_cursor(simulator):
    simulator.state.add_orders("skyforge", generate_campaign(backers=25, seed=3), locked=True)
    pages = list(client_for(simulator).iter_locked_orders(limit=10))
    assert [len(page.orders) for page in pages] == [10, 10, 5]
    assert [page.has_more for page in pages] == [True, True, False]
    ids = [order["id"] for page in pages for order in page.orders]
    assert len(set(ids)) == 25


def test_pulling_since_the_last_cursor_sees_only_orders_locked_after_it(simulator):
    orders = generate_campaign(backers=6, seed=4)
    simulator.state.add_orders("skyforge", orders[:4], locked=True)
    simulator.state.add_orders("skyforge", orders[4:], locked=False)
    client = client_for(simulator)
    first = list(client.iter_locked_orders())
    cursor = first[-1].next_cursor
    assert [o["id"] for o in first[0].orders] == [o["id"] for o in orders[:4]]

    simulator.state.lock_orders("skyforge", [orders[5]["id"]])
    later = list(client.iter_locked_orders(since=cursor))
    assert [o["id"] for p in later for o in p.orders] == [orders[5]["id"]]


def test_empty_pull_keeps_the_cursor(simulator):
    simulator.state.add_orders("skyforge", generate_campaign(backers=2, seed=5))
    client = client_for(simulator)
    cursor = list(client.iter_locked_orders())[-1].next_cursor
    page = client.locked_orders_page(since=cursor)
    assert page.orders == [] and page.next_cursor == cursor and page.has_more is False


def test_wrong_api_key_is_unauthorized(simulator):
    with pytest.raises(BackerKitUnauthorized):
        client_for(simulator, api_key="wrong").project()


def test_unknown_project_is_not_found(simulator):
    with pytest.raises(BackerKitNotFound):
        client_for(simulator, project="nope").project()


def test_throttling_carries_the_retry_after_delay(simulator):
    simulator.state.add_faults(status=429, retry_after=7)
    with pytest.raises(BackerKitThrottled) as caught:
        client_for(simulator).locked_orders_page(since=None)
    assert caught.value.retry_after == 7.0


def test_server_errors_are_transient_and_never_retried_by_the_client(simulator):
    simulator.state.add_faults(status=500, count=1)
    client = client_for(simulator)
    with pytest.raises(BackerKitTransient):
        client.project()
    assert client.project().currency == "USD"  # the next request is served: one request per call
    assert [r["status"] for r in simulator.state.requests] == [500, 200]


def test_connection_refused_is_transient():
    client = BackerKitClient(f"http://127.0.0.1:{free_port()}", API_KEY, "skyforge", timeout=(0.5, 0.5))
    with pytest.raises(BackerKitTransient):
        client.project()


def test_bad_cursor_is_a_plain_error_not_retried(simulator):
    with pytest.raises(BackerKitError) as caught:
        client_for(simulator).locked_orders_page(since="not-a-cursor")
    assert type(caught.value) is BackerKitError and caught.value.status == 400


def test_redirects_are_not_followed(simulator):
    simulator.state.add_faults(status=302, location="https://elsewhere.example/steal")
    client = client_for(simulator)
    with pytest.raises(BackerKitError, match="not followed"):
        client.project()
    assert [r["status"] for r in simulator.state.requests] == [302]  # answered once, never followed


def test_answer_outside_the_contract_is_an_error(simulator):
    simulator.state.add_faults(status=200, body='{"orders": "x"}')
    with pytest.raises(BackerKitError, match="outside the contract"):
        client_for(simulator).locked_orders_page(since=None)


def test_json_nested_too_deeply_is_an_error_not_a_crash(simulator):
    simulator.state.add_faults(status=200, body='{"orders": ' + "[" * 100_000 + "]" * 100_000 + "}")
    with pytest.raises(BackerKitError, match="nested too deeply"):
        client_for(simulator).locked_orders_page(since=None)


def test_the_api_key_is_never_logged_nor_shown(simulator, caplog):
    simulator.state.add_orders("skyforge", generate_campaign(backers=3, seed=6))
    client = client_for(simulator)
    with caplog.at_level(logging.DEBUG):
        list(client.iter_locked_orders())
        with pytest.raises(BackerKitTransient) as caught:
            simulator.state.add_faults(status=503)
            client.project()
    assert "backerkit.orders_page" in [r.getMessage() for r in caplog.records]  # the pull was logged...
    assert API_KEY not in caplog.text  # ...without the key
    assert API_KEY not in repr(client) and API_KEY not in str(caught.value)
