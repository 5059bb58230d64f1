"""A worker thread keeps its database connection from task to task (CONN_MAX_AGE, as production
sets it) instead of connecting again for each task, and replaces one PostgreSQL dropped."""

from django.db import connection

from shopapp.models import WorkerHeartbeat
from shopapp.tasks import record_worker_heartbeat
from tests.support.processes import wait_for

# The worker's connections carry this name (libpq reads PGAPPNAME): the suite's other processes
# (a live server, simulators, workers of earlier tests) may hold connections to the same database.
APP_NAME = "test-worker-connections"


def _other_backends() -> list[int]:
    """The worker's client connections to the test database."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND backend_type = 'client backend' AND application_name = %s ORDER BY pid",
            [APP_NAME],
        )
        return [pid for (pid,) in cursor.fetchall()]


def _beat_once() -> None:
    """One heartbeat task, waited for until its write is committed."""
    before = WorkerHeartbeat.objects.values_list("beat_at", flat=True).first()
    record_worker_heartbeat.delay()
    wait_for(
        lambda: WorkerHeartbeat.objects.values_list("beat_at", flat=True).first() not in (None, before),
        timeout=20,
        what="the worker to record a heartbeat",
    )


def test_a_worker_runs_its_next_task_on_the_same_database_connection(worker_factory):
    # given a worker with one thread, connections kept 60 s
    worker_factory(name="keeps", concurrency=1, CONN_MAX_AGE="60", PGAPPNAME=APP_NAME)
    _beat_once()
    wait_for(lambda: len(_other_backends()) == 1, timeout=10, what="the worker's connection")
    kept = _other_backends()

    # when it runs two more tasks
    _beat_once()
    _beat_once()

    # then they ran on the connection of the first one
    assert _other_backends() == kept


def test_a_connection_postgresql_dropped_is_replaced_at_the_next_task(worker_factory):
    # given a worker whose kept connection PostgreSQL then terminated (as a restart does)
    worker_factory(name="replaces", concurrency=1, CONN_MAX_AGE="60", PGAPPNAME=APP_NAME)
    _beat_once()
    wait_for(lambda: len(_other_backends()) == 1, timeout=10, what="the worker's connection")
    [dropped] = _other_backends()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [dropped])
    wait_for(lambda: dropped not in _other_backends(), timeout=10, what="PostgreSQL to drop the connection")

    # when the worker runs its next task
    _beat_once()

    # then the task ran (its write is there) on a new connection, kept in turn
    wait_for(lambda: len(_other_backends()) == 1, timeout=10, what="the worker's new connection")
    assert _other_backends() != [dropped]
