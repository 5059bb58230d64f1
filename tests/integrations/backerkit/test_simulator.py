"""The BackerKit simulator's control API and its contract behaviour, over real HTTP."""

import httpx
import pytest

from integrations.backerkit.simulator import start_backerkit_simulator
from integrations.backerkit.simulator.campaign import generate_campaign


@pytest.fixture
def simulator():
    running = start_backerkit_simulator()
    yield running
    running.stop()


def test_control_api_creates_a_project_adds_and_locks_orders(simulator):
    orders = generate_campaign(backers=3, seed=1)
    with httpx.Client(base_url=simulator.url) as http:
        assert (
            http.post("/_simulator/projects", json={"id": "p1", "api_key": "k", "currency": "EUR"}).status_code == 201
        )
        http.post("/_simulator/projects/p1/orders", json={"orders": orders, "locked": False})
        auth = {"Authorization": "Bearer k"}
        assert http.get("/v1/projects/p1/orders", params={"status": "locked"}, headers=auth).json()["orders"] == []
        assert http.post("/_simulator/projects/p1/lock", json={}).json() == {"locked": 3}
        page = http.get("/v1/projects/p1/orders", params={"status": "locked", "limit": 2}, headers=auth).json()
        assert [o["id"] for o in page["orders"]] == [o["id"] for o in orders[:2]] and page["has_more"] is True
        state = http.get("/_simulator/state.json").json()
    assert state["projects"]["p1"] == {
        "name": "p1",
        "currency": "EUR",
        "orders": 3,
        "locked": 3,
        "changes": 3,
        "not_locked": 0,
    }


def test_faults_answer_the_next_requests_then_stop(simulator):
    simulator.state.add_project(id="p1", api_key="k")
    with httpx.Client(base_url=simulator.url, headers={"Authorization": "Bearer k"}) as http:
        http.post("/_simulator/faults", json={"status": 429, "count": 2, "retry_after": 3})
        answers = [http.get("/v1/projects/p1") for _ in range(3)]
    assert [a.status_code for a in answers] == [429, 429, 200]
    assert answers[0].headers["Retry-After"] == "3"


def test_reset_forgets_everything(simulator):
    simulator.state.add_project(id="p1", api_key="k")
    httpx.post(f"{simulator.url}/_simulator/reset", json={})
    assert simulator.state.snapshot()["projects"] == {}


def test_orders_api_refuses_a_missing_key_a_bad_status_and_a_bad_limit(simulator):
    simulator.state.add_project(id="p1", api_key="k")
    with httpx.Client(base_url=simulator.url) as http:
        assert http.get("/v1/projects/p1/orders").status_code == 401
        auth = {"Authorization": "Bearer k"}
        assert http.get("/v1/projects/p1/orders", params={"status": "all"}, headers=auth).status_code == 400
        assert http.get("/v1/projects/p1/orders", params={"limit": 0}, headers=auth).status_code == 400


def test_the_simulator_never_records_the_authorization_header(simulator):
    simulator.state.add_project(id="p1", api_key="secret-key")
    httpx.get(f"{simulator.url}/v1/projects/p1", headers={"Authorization": "Bearer secret-key"})
    assert "secret-key" not in repr(simulator.state.requests)
