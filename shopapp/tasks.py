"""Tasks of the app shell. Thin: each one calls a service."""

from celery import shared_task

from shopapp.heartbeat import record_heartbeat


@shared_task(name="shopapp.record_worker_heartbeat", ignore_result=True)
def record_worker_heartbeat() -> None:
    record_heartbeat(hostname=record_worker_heartbeat.request.hostname or "")
