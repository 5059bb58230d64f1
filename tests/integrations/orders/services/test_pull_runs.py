"""A merchant's pull, run by ``run_pull`` (what the ``orders.pull_connection`` task runs): every
page counted on its run as it comes in, every ending recorded, a redelivered message harmless."""

from datetime import timedelta

import pytest
from django.utils import timezone

from integrations.orders.models import BackerKitConnection, PullRun, PushRecord
from integrations.orders.services.connections import PULL_STALE_AFTER, request_pull
from integrations.orders.services.pull_runs import run_pull
from tests.support.campaign_files import fixture_order
from tests.support.push_records import plain_shop

API_KEY = "bk_live_pull_runs_0123456789"


@pytest.fixture
def conn(db, backerkit_sim):
    backerkit_sim.state.add_project(id="skyforge", api_key=API_KEY, name="Skyforge", currency="USD")
    shop = plain_shop()
    return BackerKitConnection.objects.create(
        shop=shop, store_name="Skyforge Store", project="skyforge", api_key=API_KEY, currency="USD"
    )


def _orders(backerkit_sim, count: int) -> None:
    backerkit_sim.state.add_orders(
        "skyforge", [fixture_order("paid", id=f"bk-{n}", backer_id=f"80{n:03d}") for n in range(count)]
    )


def _run(conn) -> PullRun:
    return PullRun.objects.create(shop=conn.shop, connection=conn)


def test_every_page_is_counted_on_the_run_and_the_orders_wait_for_the_merchant(conn, backerkit_sim):
    _orders(backerkit_sim, 230)
    run = _run(conn)

    run_pull(pull_run_id=run.id)

    run.refresh_from_db()
    assert (run.state, run.pages, run.received, run.accepted, run.refused) == ("finished", 3, 230, 230, 0)
    assert run.started_at <= run.finished_at
    assert PushRecord.objects.filter(state=PushRecord.State.PENDING).count() == 230


def test_a_refused_key_ends_the_run_failed_with_the_reason(conn, backerkit_sim):
    _orders(backerkit_sim, 3)
    BackerKitConnection.objects.filter(id=conn.id).update(api_key="bk_live_revoked")
    run = _run(conn)

    run_pull(pull_run_id=run.id)

    run.refresh_from_db()
    assert run.state == PullRun.State.FAILED and run.finished_at is not None
    # Refused outright (the typed error), or the connection stopped by the pull with its reason.
    assert run.problem in (PullRun.Problem.KEY_REFUSED, PullRun.Problem.CONNECTION_STOPPED)


def test_a_redelivered_message_of_a_finished_pull_asks_backerkit_nothing(conn, backerkit_sim):
    _orders(backerkit_sim, 3)
    run = _run(conn)
    run_pull(pull_run_id=run.id)
    asked = len(backerkit_sim.state.requests)

    run_pull(pull_run_id=run.id)

    assert len(backerkit_sim.state.requests) == asked
    assert PullRun.objects.get(id=run.id).pages == 1


def test_a_pull_that_stopped_moving_is_replaced_by_the_next_request(conn, django_capture_on_commit_callbacks):
    dead = _run(conn)
    PullRun.objects.filter(id=dead.id).update(
        state=PullRun.State.RUNNING, updated_at=timezone.now() - PULL_STALE_AFTER - timedelta(seconds=1)
    )

    with django_capture_on_commit_callbacks():
        fresh = request_pull(shop_id=conn.shop_id, connection_id=conn.id)

    dead.refresh_from_db()
    assert fresh.id != dead.id and fresh.state == PullRun.State.QUEUED
    assert (dead.state, dead.problem) == (PullRun.State.FAILED, PullRun.Problem.ABANDONED)
