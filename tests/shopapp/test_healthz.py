"""/healthz reports the database and the broker; a stopped broker makes it 503."""

import pytest

from tests.support.processes import RedisServer


@pytest.mark.django_db
def test_healthz_is_ok_when_database_and_broker_answer(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"
    assert response.json()["broker"] == "ok"


@pytest.mark.django_db
def test_healthz_reports_a_stopped_broker(client, settings):
    broker = RedisServer().start()
    settings.REDIS_URL = broker.url
    try:
        assert client.get("/healthz").json()["broker"] == "ok"
    finally:
        broker.stop()

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {
        "status": "down",
        "database": "ok",
        "broker": "down",
        "worker_heartbeat_age_seconds": None,
    }
