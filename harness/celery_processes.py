"""A Celery worker (threads pool, as in production) and Celery beat, as real processes."""

import socket
import sys
from pathlib import Path

import redis
from kombu.exceptions import OperationalError as BrokerError

from harness.served_process import ServedProcess
from harness.waiting import wait_for


class CeleryWorker(ServedProcess):
    """A `celery worker` process; ``beat=True`` embeds beat in it (tests), CeleryBeat runs it alone."""

    def __init__(
        self,
        env: dict[str, str],
        *,
        concurrency: int = 4,
        name: str = "test-worker",
        log_path: Path,
        beat: bool = False,
        own_session: bool = False,
    ):
        super().__init__([], env=env, log_path=log_path, name=name, own_session=own_session)
        self.beat = beat
        self.concurrency = concurrency

    def command(self) -> list[str]:
        return [
            sys.executable, "-m", "celery", "-A", "shopapp", "worker",
            "--pool", "threads", "--concurrency", str(self.concurrency),
            "--hostname", f"{self.name}@%h", "--without-gossip", "--without-mingle",
            "--loglevel", "INFO",
            *(["--beat", "--schedule", str(self.log_path.with_suffix(".beat"))] if self.beat else []),
        ]  # fmt: skip

    def start(self) -> "CeleryWorker":
        super().start()
        return self

    def wait_ready(self, celery_app, timeout: float = 30.0) -> None:
        """Until the worker answers a ping through the broker (it is connected and consumes)."""

        def answers() -> bool:
            self._check_alive()
            try:
                return bool(celery_app.control.ping(destination=[self.hostname], timeout=0.5))
            except (BrokerError, redis.RedisError, OSError):
                return False  # the broker is restarting: ask again

        wait_for(answers, timeout=timeout, what=f"celery worker {self.name}")

    @property
    def hostname(self) -> str:
        return f"{self.name}@{socket.gethostname()}"


class CeleryBeat(ServedProcess):
    """`celery beat`: the schedule of shopapp/settings.py (sweeper, pulls, token refresh...)."""

    def __init__(self, env: dict[str, str], *, log_path: Path, schedule_path: Path, own_session: bool = False):
        argv = [sys.executable, "-m", "celery", "-A", "shopapp", "beat", "--loglevel", "INFO",
                "--schedule", str(schedule_path)]  # fmt: skip
        super().__init__(argv, env=env, log_path=log_path, name="celery-beat", own_session=own_session)

    def wait_ready(self, timeout: float = 30.0) -> None:
        self.wait_log("beat: Starting", timeout=timeout)
