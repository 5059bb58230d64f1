"""The BackerKit pull handles each of its client's typed errors: a refused key or a missing project
stops the connection with its reason (until the key is fixed), a 429 waits Retry-After, 5xx and
timeouts back off with jitter (bounded), and an interrupted pull resumes where it stopped.

Real PostgreSQL, the BackerKit simulator over loopback; nothing is pushed (start_push=False)."""

import logging

import pytest
from django.utils import timezone

from integrations.backerkit.simulator.campaign import generate_campaign
from integrations.orders.models import BackerKitConnection, PushRecord
from integrations.orders.services import pull
from integrations.orders.services.connections import check_connection
from tests.support.shops import connected_shop

PROJECT, KEY = "skyforge", "bk-test-key"


@pytest.fixture
def campaign(backerkit_sim, settings):
    settings.BACKERKIT_PAGE_SIZE = 10  # 50 orders: 5 pages
    orders = generate_campaign(backers=50, seed=5)
    backerkit_sim.state.add_project(id=PROJECT, api_key=KEY, currency="USD")
    backerkit_sim.state.add_orders(PROJECT, orders)
    return orders


@pytest.fixture
def connection(db, shopify_sim):
    shop = connected_shop(shopify_sim)
    return BackerKitConnection.objects.create(
        shop=shop, store_name="Skyforge Store", project=PROJECT, api_key=KEY, currency="USD"
    )


def pulled_ids(connection) -> list[str]:
    return sorted(PushRecord.objects.filter(connection=connection).values_list("backerkit_order_id", flat=True))


def orders_requests(backerkit_sim) -> list[dict]:
    """The requests of the locked listing (not of the change feed the pull reads after it)."""
    return [r for r in backerkit_sim.state.api_requests()
            if r["path"].endswith("/orders") and "updated_since=" not in r["query"]]  # fmt: skip


def test_a_key_refused_on_page_3_stops_the_connection_keeps_pages_1_2_and_resumes_at_page_3_once_fixed(
    backerkit_sim, campaign, connection
):
    backerkit_sim.state.add_faults(status=401, after=2)

    result = pull.pull(connection_id=connection.id, start_push=False)

    connection.refresh_from_db()
    assert connection.status == BackerKitConnection.Status.REFUSED
    assert "refused the API key" in connection.stopped_reason
    assert result.retry_in is None  # nothing retries a refused key by itself
    assert len(pulled_ids(connection)) == 20
    assert pull.connections_due() == []

    assert check_connection(shop_id=connection.shop_id, connection_id=connection.id).ok  # the key works again
    connection.refresh_from_db()
    assert connection.status == BackerKitConnection.Status.ACTIVE and not connection.stopped_reason
    assert pull.connections_due() == [connection.id]
    before = len(orders_requests(backerkit_sim))

    pull.pull(connection_id=connection.id, start_push=False)

    assert pulled_ids(connection) == sorted(o["id"] for o in campaign)
    resumed = orders_requests(backerkit_sim)[before:]
    assert len(resumed) == 3, "pages 3, 4 and 5 only: the pull resumed from its cursor"
    assert "since=" in resumed[0]["query"]


def test_a_regenerated_key_stops_the_connection_until_the_new_key_is_entered(backerkit_sim, campaign, connection):
    backerkit_sim.state.set_api_key(PROJECT, "bk-new-key")

    pull.pull(connection_id=connection.id, start_push=False)

    connection.refresh_from_db()
    assert connection.status == BackerKitConnection.Status.REFUSED
    assert not check_connection(shop_id=connection.shop_id, connection_id=connection.id).ok
    connection.refresh_from_db()
    assert connection.status == BackerKitConnection.Status.REFUSED, "a failed test leaves it stopped"

    pull.update_api_key(connection_id=connection.id, api_key="bk-new-key")

    connection.refresh_from_db()
    assert connection.status == BackerKitConnection.Status.ACTIVE
    pull.pull(connection_id=connection.id, start_push=False)
    assert len(pulled_ids(connection)) == len(campaign)


def test_a_project_backerkit_no_longer_has_stops_the_connection_with_its_reason(backerkit_sim, campaign, connection):
    backerkit_sim.state.add_faults(status=404)

    pull.pull(connection_id=connection.id, start_push=False)

    connection.refresh_from_db()
    assert connection.status == BackerKitConnection.Status.REFUSED
    assert "project" in connection.stopped_reason and PROJECT in connection.stopped_reason


def test_a_429_waits_the_retry_after_backerkit_asked_for(backerkit_sim, campaign, connection):
    backerkit_sim.state.add_faults(status=429, retry_after=40, after=1)

    result = pull.pull(connection_id=connection.id, start_push=False)

    connection.refresh_from_db()
    assert result.retry_in == pytest.approx(40, abs=1)
    assert connection.status == BackerKitConnection.Status.ACTIVE
    wait = (connection.pull_not_before - timezone.now()).total_seconds()
    assert 38 <= wait <= 41
    assert "429" in connection.last_pull_error or "throttl" in connection.last_pull_error.lower()
    assert pull.connections_due() == [], "beat does not pull before the time BackerKit asked for"
    assert len(pulled_ids(connection)) == 10


def test_5xx_back_off_with_jitter_growing_up_to_a_bound_then_a_good_pull_clears_the_error(
    backerkit_sim, campaign, connection, settings
):
    settings.BACKERKIT_PULL_BACKOFF_SECONDS = 4
    settings.BACKERKIT_PULL_BACKOFF_MAX_SECONDS = 20
    waits = []
    for _ in range(5):
        backerkit_sim.state.add_faults(status=503)
        waits.append(pull.pull(connection_id=connection.id, start_push=False).retry_in)

    connection.refresh_from_db()
    assert connection.pull_failures == 5
    assert "503" in connection.last_pull_error
    assert 2 <= waits[0] <= 4 and 4 <= waits[1] <= 8 and 8 <= waits[2] <= 16
    assert all(w <= 20 for w in waits) and waits[4] >= 10

    pull.pull(connection_id=connection.id, start_push=False)

    connection.refresh_from_db()
    assert (connection.pull_failures, connection.last_pull_error, connection.pull_not_before) == (0, "", None)
    assert len(pulled_ids(connection)) == len(campaign)


def test_a_timeout_is_transient_and_logged_by_event_connection_and_type_without_a_traceback(
    backerkit_sim, campaign, connection, settings, caplog
):
    settings.BACKERKIT_TIMEOUT = (1.0, 0.5)
    backerkit_sim.state.add_faults(timeout=1.5, after=3)

    with caplog.at_level(logging.INFO, logger="integrations.orders.services.pull"):
        result = pull.pull(connection_id=connection.id, start_push=False)

    assert result.retry_in is not None and result.retry_in > 0
    connection.refresh_from_db()
    assert "did not answer" in connection.last_pull_error or "timed out" in connection.last_pull_error
    assert len(pulled_ids(connection)) == 30
    [record] = [r for r in caplog.records if r.getMessage() == "backerkit.pull_failed"]
    assert record.connection_id == connection.id
    assert record.error == "BackerKitTransient"
    assert record.exc_info is None


def test_the_pull_task_in_a_worker_waits_out_429_and_5xx_and_ends_with_every_order_once(
    backerkit_sim, worker_factory, shopify_sim, transactional_db
):
    from integrations.orders.tasks import pull_connection
    from tests.support.processes import wait_for

    orders = generate_campaign(backers=50, seed=6)
    backerkit_sim.state.add_project(id=PROJECT, api_key=KEY, currency="USD")
    backerkit_sim.state.add_orders(PROJECT, orders)
    shop = connected_shop(shopify_sim, auto_push=False)
    connection = BackerKitConnection.objects.create(
        shop=shop, store_name="Skyforge Store", project=PROJECT, api_key=KEY, currency="USD"
    )
    worker_factory(BACKERKIT_API_URL=backerkit_sim.url, BACKERKIT_PAGE_SIZE="10", BACKERKIT_PULL_BACKOFF_SECONDS="1")
    backerkit_sim.state.add_faults(status=429, retry_after=2, after=1)
    backerkit_sim.state.add_faults(status=503, count=2, after=1)

    pull_connection.delay(connection.id)

    wait_for(lambda: len(pulled_ids(connection)) == len(orders), timeout=60, what="every order pulled")
    requests = orders_requests(backerkit_sim)
    throttled = next(i for i, r in enumerate(requests) if r["status"] == 429)
    assert requests[throttled + 1]["at"] - requests[throttled]["at"] >= 2.0, "asked again before Retry-After"
    assert [r["status"] for r in requests].count(503) == 2
    connection.refresh_from_db()
    wait_for(lambda: BackerKitConnection.objects.get(id=connection.id).pull_failures == 0, timeout=10,
             what="the errors cleared by the good pull")  # fmt: skip
    assert PushRecord.objects.filter(connection=connection).count() == len(orders)
