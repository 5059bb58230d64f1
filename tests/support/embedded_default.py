"""The embedded default in a child process: ``push_orders`` with no REDIS_URL (no Celery worker, no
beat, no Redis: the app's local worker does the work), on the test PostgreSQL database, against the
Shopify simulator."""

import subprocess
import sys

from django.conf import settings

from integrations.backerkit.simulator.campaign import sample_catalog
from integrations.orders.models import PushRecord
from tests.support.processes import ROOT, child_env
from tests.support.push_checks import assert_each_order_once
from tests.support.push_workers import PUSH_WORKER_ENV

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
