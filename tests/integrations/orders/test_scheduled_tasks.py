"""What beat schedules, run by a real worker: the BackerKit pull of the connections that are due,
the migration of non-expiring tokens, the purge of expired personal data. Each task is sent as
beat sends it (by name, through the broker) and its effect awaited in the database."""

from datetime import timedelta

import pytest
from django.utils import timezone

from integrations.orders.models import BackerKitConnection, PushRecord
from integrations.orders.services.pull import connections_due
from integrations.shops.models import Shop
from shopapp.celery import app
from tests.support.campaign_files import CATALOG, fixture_order
from tests.support.processes import wait_for
from tests.support.push_records import record
from tests.support.push_workers import push_worker_env
from tests.support.shops import connected_shop

SCOPES = ["read_products", "write_orders", "read_orders"]


@pytest.fixture
def worker(worker_factory, shopify_simulator, backerkit_sim):
    """A worker without beat: only the task the test sends runs."""
    return worker_factory(name="scheduled", concurrency=4, **push_worker_env(shopify_simulator, backerkit_sim))


def api_connection(sim_shop, project: str, **fields) -> BackerKitConnection:
    return BackerKitConnection.objects.create(
        shop=sim_shop,
        store_name=f"{project} store",
        project=project,
        api_key=f"key-{project}",
        currency="USD",
        **fields,
    )


def test_connections_due_are_the_active_api_connections_of_connected_shops_that_push_by_themselves(
    transactional_db, shopify_sim
):
    sim_shop = connected_shop(shopify_sim)
    manual = connected_shop(shopify_sim, domain="manual-store.myshopify.com", auto_push=False)
    gone = connected_shop(shopify_sim, domain="gone-store.myshopify.com")
    Shop.objects.filter(id=gone.id).update(status=Shop.Status.DISCONNECTED)
    due = api_connection(sim_shop, "due")
    api_connection(sim_shop, "stopped", status=BackerKitConnection.Status.STOPPED)
    api_connection(sim_shop, "file", kind=BackerKitConnection.Kind.FILE_IMPORT)
    api_connection(manual, "manual")
    api_connection(gone, "gone")

    assert connections_due() == [due.id]


def test_the_scheduled_pull_takes_in_and_pushes_the_due_connections_orders_only(
    sim_shop, shopify_sim, backerkit_sim, worker
):
    manual = connected_shop(shopify_sim, domain="manual-store.myshopify.com", auto_push=False)
    shopify_sim.seed_products(manual.domain, CATALOG)
    for project, order in (("due", fixture_order("paid")), ("manual", fixture_order("no_tax"))):
        backerkit_sim.state.add_project(id=project, api_key=f"key-{project}", currency="USD")
        backerkit_sim.state.add_orders(project, [order])
    api_connection(sim_shop, "due")
    api_connection(manual, "manual")

    app.send_task("orders.pull_all_connections")

    wait_for(
        lambda: PushRecord.objects.filter(shop=sim_shop, state=PushRecord.State.PUSHED).exists(),
        timeout=60,
        what="the due connection's order to be pulled and pushed",
    )
    # The push starts with the first page; the change feed is read after it, maybe later.
    wait_for(lambda: len(backerkit_sim.state.requests) >= 2, timeout=60, what="the change feed to be read")
    assert [o["source_identifier"] for o in shopify_sim.orders(sim_shop.domain)] == ["bk-paid"]
    assert not PushRecord.objects.filter(shop=manual).exists()  # not due: not pulled
    # The due project only: its locked orders, then its change feed.
    assert [r["path"] for r in backerkit_sim.state.requests] == ["/v1/projects/due/orders"] * 2
    assert "updated_since=" in backerkit_sim.state.requests[1]["query"]


def test_the_token_migration_tasks_migrate_legacy_tokens_and_leave_custom_app_tokens(sim_shop, shopify_sim, worker):
    shops = {}
    for kind in ("legacy", "custom_app"):
        domain = f"{kind.replace('_', '-')}-store.myshopify.com"
        shopify_sim.create_shop(domain)
        token = shopify_sim.mint_token(domain, kind=kind, scopes=SCOPES)["access_token"]
        shops[kind] = Shop.objects.create(domain=domain, access_token=token, token_kind=kind,
                                          scopes=",".join(SCOPES), status=Shop.Status.CONNECTED)  # fmt: skip

    app.send_task("shopapp.migrate_legacy_tokens")

    wait_for(
        lambda: Shop.objects.get(id=shops["legacy"].id).token_kind == Shop.TokenKind.EXPIRING,
        timeout=60,
        what="the legacy token to be migrated",
    )
    migrated = Shop.objects.get(id=shops["legacy"].id)
    assert migrated.access_token != shops["legacy"].access_token and migrated.refresh_token
    custom = Shop.objects.get(id=shops["custom_app"].id)
    assert (custom.token_kind, custom.access_token) == (Shop.TokenKind.CUSTOM_APP, shops["custom_app"].access_token)


def test_the_purge_task_erases_personal_data_past_retention_and_keeps_the_rest(sim_shop, worker, settings):
    conn = api_connection(sim_shop, "purge")
    long_ago = timezone.now() - timedelta(days=settings.PERSONAL_DATA_RETENTION_DAYS + 1)
    old = record(sim_shop, conn, "bk-old", PushRecord.State.PUSHED, pushed_at=long_ago)
    PushRecord.objects.filter(id=old.id).update(updated_at=long_ago)  # nothing has happened to it since
    recent = record(sim_shop, conn, "bk-recent", PushRecord.State.PUSHED)
    waiting = record(sim_shop, conn, "bk-waiting", PushRecord.State.PENDING)

    app.send_task("orders.purge_personal_data")

    wait_for(
        lambda: PushRecord.objects.get(id=old.id).personal_data_purged_at is not None,
        timeout=60,
        what="the expired record to be purged",
    )
    old.refresh_from_db()
    assert old.order_data is None and old.sent_input is None
    assert (old.shopify_order_name, old.amount_paid, old.state) == ("#1001", recent.amount_paid, "pushed")  # kept
    for kept in (recent, waiting):
        kept.refresh_from_db()
        assert kept.order_data == {"id": kept.backerkit_order_id, "email": "ada@example.com"}
        assert kept.personal_data_purged_at is None
