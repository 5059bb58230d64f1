"""A progress bar for management commands: counts, rate and ETA on one line that updates."""

import sys
import time
from typing import TextIO


class ProgressBar:
    def __init__(self, *, total: int, label: str, stream: TextIO | None = None, width: int = 30):
        self.total = max(total, 0)
        self.label = label
        self.stream = stream or sys.stdout
        self.width = width
        self.started = time.monotonic()
        self.done = 0
        self.eta_seconds: float | None = None
        self._last_draw = 0.0
        self._tty = hasattr(self.stream, "isatty") and self.stream.isatty()

    def update(self, done: int, *, extra: str = "", force: bool = False, eta_seconds: float | None = None) -> None:
        """``eta_seconds``: the time left as the caller knows it (a push on both roads: the bulk
        operations' lines still running in Shopify), instead of the bar's own done/elapsed (None)."""
        self.done, self.eta_seconds = done, eta_seconds
        now = time.monotonic()
        if not force and now - self._last_draw < (0.2 if self._tty else 2.0):
            return
        self._last_draw = now
        self.stream.write(("\r" if self._tty else "") + self.render(extra=extra) + ("" if self._tty else "\n"))
        self.stream.flush()

    def render(self, *, extra: str = "") -> str:
        elapsed = time.monotonic() - self.started
        fraction = self.done / self.total if self.total else 1.0
        filled = int(self.width * min(fraction, 1.0))
        bar = "#" * filled + "-" * (self.width - filled)
        rate = self.done / elapsed if elapsed > 0 else 0.0
        remaining = (self.total - self.done) / rate if rate > 0 else None
        if self.eta_seconds is not None:
            remaining = self.eta_seconds
        eta = _duration(remaining) if remaining is not None and self.done < self.total else "--:--"
        text = f"{self.label} [{bar}] {self.done}/{self.total} {fraction:6.1%} {rate:7.1f}/s ETA {eta}"
        return f"{text} {extra}".rstrip()

    def finish(self, *, extra: str = "") -> None:
        self.update(self.done, extra=extra, force=True)
        if self._tty:
            self.stream.write("\n")
            self.stream.flush()


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"
