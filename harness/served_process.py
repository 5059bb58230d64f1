"""One child process of a test or a drill, with its own log file.

``own_session`` puts the child in a new session: a Ctrl-C in the terminal then reaches only the
parent, which stops its children in order (the drills) instead of every process at once.
"""

import signal
import subprocess
from pathlib import Path

import httpx

from harness.waiting import wait_for

ROOT = Path(__file__).resolve().parent.parent


class ServedProcess:
    def __init__(
        self,
        argv: list[str],
        *,
        env: dict[str, str],
        log_path: Path,
        name: str = "",
        own_session: bool = False,
        cwd: Path = ROOT,
    ):
        self.argv = argv
        self.env = env
        self.log_path = log_path
        self.name = name or Path(argv[0]).name
        self.own_session = own_session
        self.cwd = cwd
        self.process: subprocess.Popen | None = None
        self.log = None

    def command(self) -> list[str]:
        return self.argv

    def start(self) -> "ServedProcess":
        self.log = open(self.log_path, "ab")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            self.command(), cwd=self.cwd, env=self.env, stdout=self.log, stderr=subprocess.STDOUT,
            start_new_session=self.own_session,
        )  # fmt: skip
        return self

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def _check_alive(self) -> None:
        if self.process is not None and self.process.poll() is not None:
            raise RuntimeError(f"{self.name} exited with {self.process.returncode}; see {self.log_path}")

    def wait_http(self, url: str, *, timeout: float = 30.0) -> None:
        """Until ``url`` answers at all (any status): the server is listening and serving."""

        def answers() -> bool:
            self._check_alive()
            try:
                httpx.get(url, timeout=2)
            except httpx.HTTPError:
                return False
            return True

        wait_for(answers, timeout=timeout, what=f"{self.name} at {url}", interval=0.1)

    def wait_log(self, text: str, *, timeout: float = 30.0) -> None:
        """Until ``text`` appears in the process's log."""

        def logged() -> bool:
            self._check_alive()
            return text.encode() in self.log_path.read_bytes()

        wait_for(logged, timeout=timeout, what=f"{self.name} to log {text!r}", interval=0.1)

    def kill(self) -> None:
        """SIGKILL: the process dies without cleaning anything up (the crash drills)."""
        if self.alive:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self, *, timeout: float = 15.0) -> None:
        if self.alive:
            self.process.terminate()
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.kill()
        if self.log is not None:
            self.log.close()
            self.log = None


def stop_all(processes: list[ServedProcess | None]) -> None:
    """SIGTERM to all first, then wait for each: they shut down in parallel."""
    running = [p for p in processes if p is not None and p.alive]
    for process in running:
        process.process.terminate()
    for process in processes:
        if process is not None:
            process.stop(timeout=30)
