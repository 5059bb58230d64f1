"""A task enqueued through Redis is executed by a real Celery worker process."""

from shopapp.heartbeat import last_heartbeat_age_seconds
from shopapp.models import WorkerHeartbeat
from shopapp.tasks import record_worker_heartbeat
from tests.support.processes import wait_for


def test_task_enqueued_through_redis_runs_in_a_real_worker(celery_worker):
    assert last_heartbeat_age_seconds() is None

    record_worker_heartbeat.delay()

    wait_for(lambda: WorkerHeartbeat.objects.exists(), timeout=20, what="the worker to record a heartbeat")
    heartbeat = WorkerHeartbeat.objects.get()
    assert heartbeat.hostname == celery_worker.hostname
    assert last_heartbeat_age_seconds() < 30
