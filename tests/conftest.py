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


@pytest.fixture(scope="session", autouse=True)
def _clean_test_redis():
    """The test Redis database starts empty (broker queues, locks, rate-limit state)."""
    redis.Redis.from_url(settings.REDIS_URL).flushdb()


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def celery_worker(django_db_setup, django_db_blocker, transactional_db, artifacts_dir, request):
    """A real `celery worker` process on the test database and the test Redis.

    Tests using it see only committed data (transactional_db), as production workers do.
    """
    from shopapp.celery import app

    extra_env = getattr(request, "param", {}) or {}
    worker = CeleryWorker(
        child_env(settings.DATABASES["default"], **extra_env),
        log_path=artifacts_dir / "celery-worker.log",
    ).start()
    try:
        worker.wait_ready(app)
        yield worker
    finally:
        worker.stop()
