"""Worker liveness: beat enqueues a heartbeat every minute; a worker records it."""

from django.utils import timezone

from shopapp.models import WorkerHeartbeat

HEARTBEAT_SECONDS = 60


def record_heartbeat(*, hostname: str) -> WorkerHeartbeat:
    heartbeat, _ = WorkerHeartbeat.objects.update_or_create(
        name="celery", defaults={"beat_at": timezone.now(), "hostname": hostname}
    )
    return heartbeat


def last_heartbeat_age_seconds() -> float | None:
    heartbeat = WorkerHeartbeat.objects.filter(name="celery").first()
    if heartbeat is None:
        return None
    return (timezone.now() - heartbeat.beat_at).total_seconds()
