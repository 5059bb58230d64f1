"""A worker holding unacknowledged tasks (a countdown waiting, acks_late) survives Redis restarting
under it and consumes again (shopapp/broker.py). Its own Redis: the suite's must not restart."""

from celery import Celery
from django.conf import settings

from shopapp.models import WorkerHeartbeat
from tests.support.processes import CeleryWorker, RedisServer, child_env, wait_for


def test_a_worker_holding_unacknowledged_tasks_reconnects_after_redis_restarts(transactional_db, artifacts_dir):
    broker = RedisServer().start()
    app = Celery("shopapp", broker=broker.url, set_as_current=False)
    app.conf.broker_transport = settings.CELERY_BROKER_TRANSPORT
    env = child_env(settings.DATABASES["default"], REDIS_URL=broker.url)
    log_path = artifacts_dir / "celery-broker-restart.log"
    worker = CeleryWorker(env, concurrency=2, name="broker-restart", log_path=log_path).start()
    try:
        worker.wait_ready(app)
        log_start = log_path.stat().st_size
        app.send_task("shopapp.record_worker_heartbeat", countdown=600)  # held by the worker, unacknowledged
        wait_for(
            lambda: b"received" in log_path.read_bytes()[log_start:], timeout=20, what="the worker to hold the task"
        )

        broker.stop()
        broker.start()  # the same port, empty
        worker.wait_ready(app, timeout=60)
        app.send_task("shopapp.record_worker_heartbeat")

        # Answering a ping is not enough (a worker can answer pings and take no task): the task
        # sent after the restart must have run.
        wait_for(
            lambda: WorkerHeartbeat.objects.filter(hostname=worker.hostname).exists(),
            timeout=60,
            what="the worker to run a task sent after the restart",
        )
        assert worker.alive
    finally:
        worker.stop()
        broker.stop()
