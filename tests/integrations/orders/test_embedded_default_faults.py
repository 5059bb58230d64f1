"""The embedded default survives what production survives: the fault tests of
test_push_exactly_once.py, run by ``push_orders`` in its own process with no REDIS_URL (so no
Celery worker, no beat, no Redis: the app's local worker does the work), on the test PostgreSQL
database, against the Shopify simulator. Each order ends in Shopify exactly once, and the command
never waits on work that nothing will do."""

import subprocess
import sys

from django.conf import settings

from integrations.backerkit.simulator.campaign import sample_catalog
from integrations.orders.models import PushRecord
from integrations.orders.services import lifecycle
from integrations.shops.models import Shop
from tests.integrations.orders.conftest import PUSH_WORKER_ENV, write_jsonl
from tests.integrations.orders.test_push_exactly_once import assert_each_order_once, campaign
from tests.integrations.orders.test_push_reconnect import reconnect
from tests.support.processes import ROOT, child_env

State = PushRecord.State


def embedded_env(shopify_simulator) -> dict[str, str]:
    """A child process on the embedded default, on the test database, with short recovery knobs."""
    return child_env(
        settings.DATABASES["default"],
        **PUSH_WORKER_ENV,
        REDIS_URL="",  # the embedded default: no broker, no Redis
        SHOPIFY_ORIGIN_TEMPLATE=shopify_simulator.origin_template,
        LOG_LEVEL="WARNING",
    )


def embedded_push_orders(shop, path, shopify_simulator, *, timeout: float = 120) -> subprocess.CompletedProcess:
    env = embedded_env(shopify_simulator)
    command = [sys.executable, "manage.py", "push_orders", shop.domain, str(path), "--connection", "Skyforge Store",
               "--timeout", str(timeout)]  # fmt: skip
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout + 60)
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def seeded(shopify_sim, shop, **shop_settings) -> None:
    shopify_sim.seed_products(shop.domain, sample_catalog())
    if shop_settings:
        shopify_sim.update_shop(shop.domain, **shop_settings)


def assert_all_pushed_once(shopify_sim, shop, orders) -> None:
    assert_each_order_once(shopify_sim, shop, orders)
    assert PushRecord.objects.filter(shop=shop, state=State.PUSHED).count() == len(orders)


def test_a_5xx_storm_at_the_start_of_a_push_is_ridden_out_in_the_embedded_default(
    shop, shopify_sim, shopify_simulator, tmp_path
):
    seeded(shopify_sim, shop)
    orders = campaign(30)
    shopify_sim.fault(shop.domain, http_5xx=40)

    result = embedded_push_orders(shop, write_jsonl(tmp_path / "c.jsonl", orders), shopify_simulator)

    assert "pushed: 30" in result.stdout
    assert_all_pushed_once(shopify_sim, shop, orders)


def test_dropped_connections_after_create_are_resolved_by_lookup_in_the_embedded_default(
    shop, shopify_sim, shopify_simulator, tmp_path
):
    seeded(shopify_sim, shop)
    orders = campaign(30)
    shopify_sim.fault(shop.domain, drop_connection=4, drop_when="after")

    embedded_push_orders(shop, write_jsonl(tmp_path / "c.jsonl", orders), shopify_simulator)

    assert_all_pushed_once(shopify_sim, shop, orders)


def test_lost_answers_while_search_lags_are_found_not_resent_in_the_embedded_default(
    shop, shopify_sim, shopify_simulator, tmp_path
):
    seeded(shopify_sim, shop, search_index_delay_seconds=1.5)
    orders = campaign(30)
    shopify_sim.fault(shop.domain, timeout_after_create=5, hold_seconds=4)

    embedded_push_orders(shop, write_jsonl(tmp_path / "c.jsonl", orders), shopify_simulator)

    assert_all_pushed_once(shopify_sim, shop, orders)
    found = PushRecord.objects.filter(shop=shop, push_attempts__outcome="found_existing").distinct().count()
    assert found == 5


def test_throttling_on_a_standard_shop_is_waited_out_in_the_embedded_default(
    shop, shopify_sim, shopify_simulator, tmp_path
):
    seeded(shopify_sim, shop, plan="standard")
    shopify_sim.set_bucket(shop.domain, 60)  # nearly empty: Shopify throttles at once
    orders = campaign(30)

    embedded_push_orders(shop, write_jsonl(tmp_path / "c.jsonl", orders), shopify_simulator)

    assert_all_pushed_once(shopify_sim, shop, orders)
    assert not PushRecord.objects.filter(shop=shop, state=State.FAILED).exists()


def test_a_revoked_token_pauses_the_embedded_push_which_resumes_after_reconnect(
    shop, shopify_sim, shopify_simulator, client, tmp_path
):
    seeded(shopify_sim, shop)
    orders = campaign(30)
    path = write_jsonl(tmp_path / "c.jsonl", orders)
    shopify_sim.fault(shop.domain, revoke_after=10)

    first = embedded_push_orders(shop, path, shopify_simulator)

    shop.refresh_from_db()
    assert shop.status == Shop.Status.DISCONNECTED
    assert "they resume after Reconnect" in first.stdout
    assert PushRecord.objects.filter(shop=shop, state=State.PAUSED).exists()
    assert not PushRecord.objects.filter(shop=shop, state=State.FAILED).exists()

    reconnect(client, shop)
    # What the reconnect queues (orders.resume_paused_pushes): the embedded web process's local
    # worker would run it; this test process has a broker and no worker, so it runs it here.
    lifecycle.resume_shop(shop_id=shop.id)
    embedded_push_orders(shop, path, shopify_simulator)

    assert_all_pushed_once(shopify_sim, shop, orders)
