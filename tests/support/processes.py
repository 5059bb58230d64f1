"""Real processes for tests: a Celery worker, a throwaway Redis, free ports. No sleeps for races:
every wait polls a readiness condition with a deadline. The process helpers live in harness/
(shared with the benchmarks and the drills); what is here points child processes at the test
session's database."""

import os

from harness.celery_processes import CeleryWorker
from harness.redis_server import RedisServer
from harness.served_process import ROOT
from harness.waiting import free_port, wait_for

__all__ = ["ROOT", "CeleryWorker", "RedisServer", "child_env", "database_url_for", "free_port", "wait_for"]


def database_url_for(db_settings: dict) -> str:
    """A DATABASE_URL for a child process, pointing at the database this test session uses."""
    host = db_settings.get("HOST") or "127.0.0.1"
    port = db_settings.get("PORT") or 5432
    user = db_settings.get("USER") or "postgres"
    password = db_settings.get("PASSWORD") or ""
    auth = f"{user}:{password}@" if password else f"{user}@"
    return f"postgres://{auth}{host}:{port}/{db_settings['NAME']}"


def child_env(db_settings: dict, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env["DATABASE_URL"] = database_url_for(db_settings)
    env["CONN_MAX_AGE"] = "0"
    env.update(extra)
    return env
