"""Session-wide fixtures: the real Redis and PostgreSQL the suite runs on, and real Celery workers."""

from pathlib import Path

import pytest
import redis
from django.conf import settings

from tests.support.processes import CeleryWorker, child_env

ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"


def pytest_configure(config):
    engine = settings.DATABASES["default"]["ENGINE"]
    if "postgresql" not in engine:
        pytest.exit(f"The test suite runs on PostgreSQL, not {engine}: run it with scripts/test.", returncode=3)
    if not settings.REDIS_URL:
        pytest.exit("The test suite needs Redis (REDIS_URL): run it with scripts/test.", returncode=3)


@pytest.fixture(autouse=True)
def _clean_test_redis():
    """Every test starts with an empty test Redis database (broker queues, locks, rate-limit
    buckets, variant caches): state left by one test never decides another."""
    redis.Redis.from_url(settings.REDIS_URL).flushdb()


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def worker_factory(django_db_setup, transactional_db, artifacts_dir):
    """Starts real `celery worker` processes on the test database and the test Redis.

    ``worker_factory(name="w1", concurrency=4, **env)`` returns a started, ready worker; extra
    keyword arguments become its environment (e.g. SHOPIFY_ORIGIN_TEMPLATE). Tests using workers
    see only committed data (transactional_db), as production workers do. All are stopped after.
    """
    from shopapp.celery import app

    workers: list[CeleryWorker] = []

    def start(*, name: str = "worker", concurrency: int = 4, beat: bool = False, **env: str) -> CeleryWorker:
        log_path = artifacts_dir / f"celery-{name}-{len(workers)}.log"
        log_path.unlink(missing_ok=True)  # the log holds this test's worker only: tests read it
        worker = CeleryWorker(
            # Unbuffered: a test that reads the worker's log sees each event as it happens.
            child_env(settings.DATABASES["default"], PYTHONUNBUFFERED="1", **{k: str(v) for k, v in env.items()}),
            beat=beat,
            name=f"{name}-{len(workers)}",
            concurrency=concurrency,
            log_path=log_path,
        ).start()
        workers.append(worker)
        worker.wait_ready(app)
        return worker

    try:
        yield start
    finally:
        for worker in workers:
            worker.stop()


@pytest.fixture
def celery_worker(worker_factory):
    """One real worker with the default environment."""
    return worker_factory()


from tests.support.backerkit_simulator import *  # noqa: E402, F401, F403 - the BackerKit simulator fixtures
from tests.support.shopify_simulator import *  # noqa: E402, F401, F403 - the Shopify simulator fixtures
