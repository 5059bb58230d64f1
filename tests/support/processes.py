"""Real processes for tests: a Celery worker, a throwaway Redis, free ports. No sleeps for races:
every wait polls a readiness condition with a deadline."""

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(condition: Callable[[], bool], *, timeout: float, what: str, interval: float = 0.05) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(interval)
    raise TimeoutError(f"timed out after {timeout}s waiting for {what}")


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


class CeleryWorker:
    """A `celery worker` process consuming from the test Redis, on the test database."""

    def __init__(
        self,
        env: dict[str, str],
        *,
        concurrency: int = 4,
        name: str = "test-worker",
        log_path: Path,
        beat: bool = False,
    ):
        self.env = env
        self.beat = beat
        self.concurrency = concurrency
        self.name = name
        self.log_path = log_path
        self.process: subprocess.Popen | None = None

    def start(self) -> "CeleryWorker":
        self.log = open(self.log_path, "ab")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [
                sys.executable, "-m", "celery", "-A", "shopapp", "worker",
                "--pool", "threads", "--concurrency", str(self.concurrency),
                "--hostname", f"{self.name}@%h", "--without-gossip", "--without-mingle",
                "--loglevel", "INFO",
                *(["--beat", "--schedule", str(self.log_path.with_suffix(".beat"))] if self.beat else []),
            ],
            cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        return self

    def wait_ready(self, celery_app, timeout: float = 30.0) -> None:
        def answers() -> bool:
            if self.process.poll() is not None:
                raise RuntimeError(f"celery worker exited with {self.process.returncode}; see {self.log_path}")
            replies = celery_app.control.ping(destination=[self.hostname], timeout=0.5)
            return bool(replies)

        wait_for(answers, timeout=timeout, what=f"celery worker {self.name}")

    @property
    def hostname(self) -> str:
        return f"{self.name}@{socket.gethostname()}"

    def kill(self) -> None:
        """SIGKILL: the worker dies without acknowledging anything (the crash drills)."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()
        if getattr(self, "log", None):
            self.log.close()


class RedisServer:
    """A throwaway redis-server on a free port (for tests that stop the broker)."""

    def __init__(self) -> None:
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> "RedisServer":
        self.process = subprocess.Popen(
            ["redis-server", "--bind", "127.0.0.1", "--port", str(self.port), "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        import redis

        def pong() -> bool:
            try:
                return redis.Redis(port=self.port, socket_connect_timeout=0.2).ping()
            except redis.RedisError:
                return False

        wait_for(pong, timeout=10, what="redis-server")
        return self

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
