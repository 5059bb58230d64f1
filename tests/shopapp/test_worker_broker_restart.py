"""A worker holding unacknowledged tasks (a countdown waiting, acks_late) survives Redis restarting
under it and consumes again (shopapp/broker.py). Its own Redis: the suite's must not restart."""

from celery import Celery
from django.conf import settings

from tests.support.processes import CeleryWorker, RedisServer, child_env, wait_for


def test_a_worker_holding_unacknowledged_tasks_reconnects_after_redis_restarts(django_db_setup, artifacts_dir):
    broker = RedisServer().start()
    app = Celery("shopapp", broker=broker.url, set_as_current=False)
    app.conf.broker_transport = settings.CELERY_BROKER_TRANSPORT
    env = child_env(settings.DATABASES["default"], REDIS_URL=broker.url)
    log_path = artifacts_dir / "celery-broker-restart.log"
    worker = CeleryWorker(env, concurrency=2, name="broker-restart", log_path=log_path).start()
    try:
        worker.wait_ready(app)
        app.send_task("shopapp.record_worker_heartbeat", countdown=600)  # held by the worker, unacknowledged
        wait_for(lambda: b"received" in worker.log_path.read_bytes(), timeout=20, what="the worker to hold the task")

        broker.stop()
        broker.start()  # the same port, empty

        worker.wait_ready(app, timeout=60)
        assert worker.alive
    finally:
        worker.stop()
        broker.stop()
