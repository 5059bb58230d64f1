"""Add connection and Fetch queue a pull and answer at once; a worker runs it; the pages show its
progress and result. (Before: both pulled every BackerKit page inside the web request.)"""

import base64
import json

import pytest
import redis
from django.conf import settings

from integrations.orders.models import BackerKitConnection, PullRun, PushRecord
from shopapp.celery import app as celery_app
from tests.support.admin_session import AdminSession
from tests.support.campaign_files import fixture_order
from tests.support.processes import wait_for
from tests.support.push_records import plain_shop

API_KEY = "bk_live_abcdefgh12345678"
ORDERS_PATH = "/v1/projects/skyforge/orders"


def _project(backerkit_sim, orders: int = 2):
    backerkit_sim.state.add_project(id="skyforge", api_key=API_KEY, name="Skyforge", currency="USD")
    backerkit_sim.state.add_orders(
        "skyforge", [fixture_order("paid", id=f"bk-{n}", backer_id=f"70{n:03d}") for n in range(orders)]
    )


def _queued_tasks() -> list[tuple[str, list]]:
    """The task messages waiting in the broker's default queue (no worker is running)."""
    client = redis.Redis.from_url(settings.REDIS_URL)
    messages = [json.loads(raw) for raw in client.lrange("celery", 0, -1)]
    return [(m["headers"]["task"], json.loads(base64.b64decode(m["body"]))[0]) for m in messages]


def _orders_requests(backerkit_sim) -> list[dict]:
    return [r for r in backerkit_sim.state.requests if r["path"].startswith(ORDERS_PATH)]


@pytest.fixture
def admin(client, db):
    return AdminSession(client, plain_shop())


def test_add_connection_answers_with_the_pull_queued_not_run(admin, backerkit_sim, django_capture_on_commit_callbacks):
    assert settings.REDIS_URL and not settings.CELERY_TASK_ALWAYS_EAGER  # tasks go to the broker
    _project(backerkit_sim)

    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(
            "pages:connection_add", data={"store_name": "Skyforge Store", "project": "skyforge", "api_key": API_KEY}
        )

    assert response.status_code == 302
    connection = BackerKitConnection.objects.get()
    run = PullRun.objects.get()
    assert (run.connection_id, run.state, run.start_push) == (connection.id, PullRun.State.QUEUED, False)
    assert _queued_tasks() == [("orders.pull_connection", [connection.id, run.id])]
    assert _orders_requests(backerkit_sim) == []  # not one page of orders asked for in the request
    assert not PushRecord.objects.exists()


def test_fetch_answers_with_the_pull_queued_and_a_second_fetch_joins_it(
    admin, backerkit_sim, django_capture_on_commit_callbacks
):
    _project(backerkit_sim)
    connection = BackerKitConnection.objects.create(
        shop=admin.shop, store_name="Skyforge Store", project="skyforge", api_key=API_KEY, currency="USD"
    )

    with django_capture_on_commit_callbacks(execute=True):
        first = admin.post("pages:connection_fetch", connection.id)
        second = admin.post("pages:connection_fetch", connection.id)

    assert first.status_code == second.status_code == 302
    run = PullRun.objects.get()  # one pull, not two
    assert _queued_tasks() == [("orders.pull_connection", [connection.id, run.id])]
    assert _orders_requests(backerkit_sim) == []
    page = admin.follow(second).content.decode()
    assert "Fetch queued" in page and 'data-pull-url="/connection/pulls' in page


def test_a_stopped_connection_cannot_be_fetched(admin, backerkit_sim):
    connection = BackerKitConnection.objects.create(
        shop=admin.shop, store_name="Old", project="skyforge", status=BackerKitConnection.Status.STOPPED
    )

    response = admin.post("pages:connection_fetch", connection.id)

    assert "This connection is stopped" in admin.follow(response).content.decode()
    assert not PullRun.objects.exists()


def test_the_queued_pull_runs_in_a_worker_and_the_pages_show_its_result(
    client, transactional_db, worker_factory, backerkit_sim
):
    shop = plain_shop()
    admin = AdminSession(client, shop)
    _project(backerkit_sim, orders=250)  # three pages of BackerKit's 100
    worker_factory(name="pull", concurrency=1, BACKERKIT_API_URL=backerkit_sim.url)

    response = admin.post(
        "pages:connection_add", data={"store_name": "Skyforge Store", "project": "skyforge", "api_key": API_KEY}
    )
    assert response.status_code == 302

    wait_for(lambda: not PullRun.objects.get().active, timeout=60, what="the queued pull to finish", interval=0.2)
    run = PullRun.objects.get()
    assert (run.state, run.pages, run.received, run.accepted) == (PullRun.State.FINISHED, 3, 250, 250)
    assert run.finished_at is not None
    assert PushRecord.objects.filter(shop=shop, state=PushRecord.State.PENDING).count() == 250  # not pushed
    connection_page = admin.get("pages:connection").content.decode()
    assert "Fetch finished: 250 orders taken in." in connection_page
    assert "data-pull-url" not in connection_page  # nothing left to poll
    pulls = admin.get("pages:connection_pulls").json()
    assert pulls["active"] is False and pulls["pulls"][0]["state"] == "finished"


@pytest.fixture
def tasks_in_process():
    """The embedded default (no REDIS_URL) runs tasks in the calling process: Celery's own switch."""
    before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    try:
        yield
    finally:
        celery_app.conf.task_always_eager = before


def test_in_the_embedded_default_the_same_pull_runs_in_process_and_ends_recorded(
    admin, backerkit_sim, django_capture_on_commit_callbacks, tasks_in_process
):
    _project(backerkit_sim)

    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(
            "pages:connection_add", data={"store_name": "Skyforge Store", "project": "skyforge", "api_key": API_KEY}
        )

    assert response.status_code == 302
    run = PullRun.objects.get()
    assert (run.state, run.accepted) == (PullRun.State.FINISHED, 2)
    assert "Fetch finished: 2 orders taken in." in admin.get("pages:connection").content.decode()
