"""The BackerKit simulator's faults on demand, over real HTTP: a refused key mid-pull, a missing
project, 429 with Retry-After, 5xx for N requests (after M good ones), answers that never come,
and a regenerated key."""

import httpx
import pytest

from integrations.backerkit.simulator import start_backerkit_simulator
from integrations.backerkit.simulator.state import SimulatorState


@pytest.fixture
def simulator():
    running = start_backerkit_simulator()
    running.state.add_project(id="p1", api_key="k")
    yield running
    running.stop()


def test_faults_start_after_the_given_number_of_good_answers(simulator):
    with httpx.Client(base_url=simulator.url, headers={"Authorization": "Bearer k"}) as http:
        http.post("/_simulator/faults", json={"status": 401, "count": 1, "after": 2})
        http.post("/_simulator/faults", json={"status": 503, "count": 2})
        http.post("/_simulator/faults", json={"status": 404})
        answers = [http.get("/v1/projects/p1").status_code for _ in range(7)]
    assert answers == [200, 200, 401, 503, 503, 404, 200]


def test_a_timeout_fault_holds_the_request_and_never_answers(simulator):
    simulator.state.add_faults(timeout=1.0)
    with httpx.Client(base_url=simulator.url, headers={"Authorization": "Bearer k"}, timeout=0.3) as http:
        with pytest.raises(httpx.ReadTimeout):
            http.get("/v1/projects/p1")
    with httpx.Client(base_url=simulator.url, headers={"Authorization": "Bearer k"}, timeout=3) as http:
        assert http.get("/v1/projects/p1").status_code == 200


def test_a_regenerated_key_refuses_the_old_one(simulator):
    with httpx.Client(base_url=simulator.url) as http:
        assert http.post("/_simulator/projects/p1/api_key", json={"api_key": "k2"}).status_code == 200
        assert http.get("/v1/projects/p1", headers={"Authorization": "Bearer k"}).status_code == 401
        assert http.get("/v1/projects/p1", headers={"Authorization": "Bearer k2"}).status_code == 200


def test_requests_are_recorded_with_their_query_and_time_never_the_key(simulator):
    with httpx.Client(base_url=simulator.url, headers={"Authorization": "Bearer k"}) as http:
        http.get("/v1/projects/p1/orders", params={"status": "locked", "limit": 5})
    [request] = simulator.state.api_requests()
    assert request["query"] == "status=locked&limit=5" and request["status"] == 200 and request["at"] > 0
    assert "k" not in {str(v) for v in request.values()}


def test_a_key_regenerated_after_n_requests_is_refused_from_the_next_one(simulator):
    with httpx.Client(base_url=simulator.url, headers={"Authorization": "Bearer k"}) as http:
        http.post("/_simulator/projects/p1/api_key", json={"api_key": "k2", "after": 2})
        answers = [http.get("/v1/projects/p1").status_code for _ in range(4)]
    assert answers == [200, 200, 401, 401]
    assert simulator.state.project("p1").api_key == "k2"


def test_a_request_held_across_a_reset_is_not_recorded_in_the_new_state():
    state = SimulatorState()
    held_since = state.generation  # a timeout fault holds a request...
    state.reset()  # ...while the next test starts

    state.record_request(method="GET", path="/v1/projects/p1", status=0, generation=held_since)
    state.record_request(method="GET", path="/v1/projects/p1", status=200, generation=state.generation)

    assert [r["status"] for r in state.requests] == [200]
