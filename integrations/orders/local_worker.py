"""The embedded default's worker: tasks run off the request even with no broker to install.

Without ``REDIS_URL`` (``settings.LOCAL_WORKER``), a Celery worker with a thread pool and beat's
schedule run inside the process, on kombu's in-memory transport. The very same tasks, retries,
countdowns and periodic work (the sweeper returning dead claims and restarting lanes whose
countdown passed, the pull schedule, the purge) happen as with production's worker and beat
processes, only without their processes. A Push click in the web process queues a message and
answers at once; a lane waiting for Shopify waits on the worker's timer, not in a request.

It starts with the web process (``shopapp/wsgi.py``, the demo) and, in any other process, with
the first task that process queues (``shopapp/celery.py``): a management command such as
``push_orders`` gets its own. Messages live in the process's memory, so those of a process that
exits are lost; nothing else is, because the database is the source of truth and the sweeper of
the next process to run finds the work again (pending records, claims whose lease ran out).
"""

import logging
import os
import threading
import warnings
from dataclasses import dataclass, field

from celery import Celery
from celery.beat import EmbeddedService
from celery.worker import WorkController
from django.conf import settings

logger = logging.getLogger(__name__)

_lock = threading.Lock()
_running: "LocalWorker | None" = None


class _Controller(WorkController):
    """A worker that says when it consumes (Celery's own test worker does the same)."""

    def __init__(self, *args, **kwargs):
        self.consuming = threading.Event()
        super().__init__(*args, **kwargs)

    def on_consumer_ready(self, consumer) -> None:
        self.consuming.set()


@dataclass
class LocalWorker:
    app: Celery
    threads: int
    thread: threading.Thread | None = None
    beat: threading.Thread | None = None
    controller: _Controller | None = None
    built: threading.Event = field(default_factory=threading.Event)
    failure: BaseException | None = None

    @property
    def alive(self) -> bool:
        return self.thread is not None and self.thread.is_alive() and self.failure is None

    def wait_ready(self, timeout: float = 15.0) -> bool:
        """True once the worker consumes its queue (messages queued before then wait for it)."""
        if not self.built.wait(timeout) or self.controller is None:
            return False
        return self.controller.consuming.wait(timeout)

    def describe(self) -> str:
        return f"this process's local worker ({self.threads} threads; no REDIS_URL: the embedded default)"

    def _serve(self) -> None:
        # Built in its own thread: starting a worker closes the database connections of the thread
        # that does it (Celery's Django fixup), which must never be a request's or a command's.
        try:
            self.app.set_current()
            # The process ran Django's checks already (a command, runserver) or needs none (gunicorn).
            os.environ.setdefault("CELERY_SKIP_CHECKS", "1")
            self.controller = _Controller(
                app=self.app,
                pool="threads",
                concurrency=self.threads,
                hostname=f"local@{threading.get_native_id()}",
                without_heartbeat=True,
                without_mingle=True,
                without_gossip=True,
                optimization="fair",
            )
        except BaseException as exc:  # surfaced by ``alive``/``wait_ready``; the process goes on
            self.failure = exc
            logger.exception("local_worker.failed_to_start")
            return
        finally:
            self.built.set()
        self.controller.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop beat and taking tasks; the running ones finish (warm shutdown, up to ``timeout``)."""
        if self.beat is not None:
            self.beat.service.stop(wait=False)  # no more periodic tasks; its thread ends at its next tick
        if self.controller is not None and self.thread is not None and self.thread.is_alive():
            self.controller.stop()
            self.thread.join(timeout)


def start(app: Celery, *, beat: bool = True) -> LocalWorker | None:
    """Start this process's local worker (and beat's schedule), once; None outside the embedded
    default (production has its own worker and beat processes)."""
    global _running
    if not settings.LOCAL_WORKER or app.conf.task_always_eager:
        return None
    with _lock:
        if _running is not None and _running.thread is not None:
            return _running
        # Celery warns that DEBUG leaks memory in a long-running worker; the demo's DEBUG is meant.
        warnings.filterwarnings("ignore", message="Using settings.DEBUG leads to a memory", module="celery")
        worker = LocalWorker(app=app, threads=settings.LOCAL_WORKER_THREADS)
        worker.thread = threading.Thread(target=worker._serve, name="local-worker", daemon=True)
        worker.thread.start()
        if beat:
            # Beat's own in-memory scheduler: the same schedule (settings.CELERY_BEAT_SCHEDULE),
            # no schedule file, first runs one interval after the start as in production.
            worker.beat = EmbeddedService(app, thread=True, scheduler_cls="celery.beat:Scheduler")
            worker.beat.name = "local-beat"
            worker.beat.start()
        _running = worker
        logger.info("local_worker.started", extra={"threads": worker.threads, "beat": beat})
        return worker


def running() -> LocalWorker | None:
    """This process's local worker, if it started."""
    return _running
