"""The embedded default in a child process: ``push_orders`` or the web process with no REDIS_URL (no
Celery worker, no beat, no Redis: the app's local worker does the work), on the test PostgreSQL
database (or a SQLite file: tests/support/embedded_shipping.py), against the Shopify simulator."""

import os
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from harness.served_process import ServedProcess
from integrations.backerkit.simulator.campaign import sample_catalog
from integrations.orders.models import PushRecord
from integrations.shops.models import Shop
from tests.support.processes import ROOT, child_env, free_port
from tests.support.push_checks import assert_each_order_once
from tests.support.push_workers import PUSH_WORKER_ENV

State = PushRecord.State


def embedded_env(shopify_simulator, *, database_url: str = "") -> dict[str, str]:
    """A child process on the embedded default, on the test database (or ``database_url``: a SQLite
    file), with short recovery knobs."""
    env = child_env(
        settings.DATABASES["default"],
        **PUSH_WORKER_ENV,
        REDIS_URL="",  # the embedded default: no broker, no Redis
        SHOPIFY_ORIGIN_TEMPLATE=shopify_simulator.origin_template,
        LOG_LEVEL="WARNING",
    )
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def embedded_push_orders(
    shop: Shop | str, path, shopify_simulator, *, timeout: float = 120, database_url: str = ""
) -> subprocess.CompletedProcess:
    env = embedded_env(shopify_simulator, database_url=database_url)
    domain = shop if isinstance(shop, str) else shop.domain
    command = [sys.executable, "manage.py", "push_orders", domain, str(path), "--connection", "Skyforge Store",
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


@dataclass
class EmbeddedWeb:
    """The embedded default's web process (gunicorn on ``shopapp.wsgi``: its local worker and beat inside)."""

    process: ServedProcess
    url: str

    def stop(self) -> None:
        self.process.stop()

    def kill(self) -> None:
        """SIGKILL to gunicorn and its worker at once (its own process group): the local worker's
        messages, countdowns included, die with it."""
        os.killpg(self.process.process.pid, signal.SIGKILL)
        self.process.process.wait(timeout=10)
        self.process.stop()  # closes its log


def embedded_web(
    shopify_simulator, backerkit_sim, *, log_path: Path, database_url: str = "", **env: str
) -> EmbeddedWeb:
    """Start the web process on the embedded default as the Procfile's ``web`` line does, with one
    gunicorn worker (one local worker and beat, as the demo has), pointed at both simulators."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    child = {**embedded_env(shopify_simulator, database_url=database_url), "BACKERKIT_API_URL": backerkit_sim.url,
             "APP_URL": url, "PYTHONUNBUFFERED": "1", **env}  # fmt: skip
    argv = [sys.executable, "-m", "gunicorn", "shopapp.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1",
            "--access-logfile", "-", "--graceful-timeout", "5"]  # fmt: skip
    log_path.unlink(missing_ok=True)
    process = ServedProcess(argv, env=child, log_path=log_path, name="embedded-web", own_session=True).start()
    try:
        process.wait_http(f"{url}/healthz", timeout=60)
    except BaseException:
        process.stop()
        raise
    return EmbeddedWeb(process=process, url=url)
