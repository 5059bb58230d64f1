"""How much of a shop's queue the bulk road takes: pure arithmetic, measured figures in.

The calls road pushes at the bucket's pace (restore rate / orderCreate's cost, orders a second).
The bulk road, once an operation runs, executes ``lines_per_second`` (B); before that, each chunk
pays our preparation (claim, mapping, upload: ``prepare_seconds_per_line`` P, a line's share) and
Shopify's start-up (``start_seconds`` S). Both roads take from one queue; a chunk is sized so that
both finish together: with W orders the calls would otherwise do (the claimable ones and those the
lanes already hold), calls at C/s, and the chunk's lines running from t0 = max(A, P*X + S) (A: how
long the shop's running operation still runs; the next chunk is prepared while it runs),
    (W - X) / C = t0 + X / B
whose root is the smaller of X = B*(W - C*A) / (B + C) and X = (W - C*S) / (1 + C*P + C/B)
(none when the calls finish first). A chunk holds at most ``MAX_CHUNK_SECONDS`` of the runner's
work, so that a rate measured wrong (or a runner slowing down) costs one chunk, not the push: the
next is sized with the figures its predecessor measured. A shop's first chunk is small: it
measures B, P and S. Shopify publishes no figure for B (docs/shopify-facts.md, "Bulk mutations").
"""

from dataclasses import dataclass

# "auto": the bulk road joins in above this many claimable pending orders.
AUTO_THRESHOLD = 300
# The first chunk of a shop (nothing measured yet): enough lines to time (at 50 lines/s, 3 s: a
# poll's half second late on its start or end errs by a sixth, not by half as with 50 lines), few
# enough to be quick.
FIRST_CHUNK = 150
# Below this the bulk road is not worth its control calls and its start-up.
MIN_CHUNK = 50
# A file holds at most 100 MB; our orders take 1.5-3 KB a line: 20k lines stay far below it.
MAX_CHUNK = 20_000
# At most this long of the runner's work per chunk (at the measured rate).
MAX_CHUNK_SECONDS = 45.0
# A chunk whose preparation the runner would wait for (the shop's first operation, measuring, runs
# a few seconds) holds at least this long of the runner's work, and no more than is ready when the
# running operation ends: soon running, and long enough for the next to be prepared meanwhile.
RAMP_SECONDS = 10.0


@dataclass(frozen=True)
class Rates:
    calls_per_second: float  # what the bucket lets the calls road push
    bulk_lines_per_second: float | None  # measured on the shop's finished operations
    bulk_start_seconds: float | None
    prepare_seconds_per_line: float = 0.0  # the shop's last operation: claim to run, per line


def chunk_size(*, pending: int, rates: Rates, road: str, backlog: int = 0, ahead_seconds: float = 0.0) -> int:
    """Lines for the next bulk operation of a shop with ``pending`` claimable orders (0: none).
    ``backlog``: orders the calls road holds or must resend besides those; ``ahead_seconds``: how
    long the shop's running operation still runs (the next chunk starts after it)."""
    if road == "calls" or pending <= 0:
        return 0
    if road == "auto" and pending + backlog < AUTO_THRESHOLD:
        return 0
    if rates.bulk_lines_per_second is None:
        return min(FIRST_CHUNK, pending)
    b, s, c = rates.bulk_lines_per_second, rates.bulk_start_seconds or 0.0, max(rates.calls_per_second, 0.0)
    if b <= 0:
        return 0
    longest = max(int(b * MAX_CHUNK_SECONDS), MIN_CHUNK)
    if road == "bulk":
        return min(pending, MAX_CHUNK, longest)
    work, p = pending + backlog, max(rates.prepare_seconds_per_line, 0.0)
    size = int(min(b * (work - c * ahead_seconds) / (b + c), (work - c * s) / (1 + c * p + c / b)))
    size = min(size, pending, MAX_CHUNK, longest)
    return size if size >= MIN_CHUNK else 0  # the lanes hold the rest: a few lines are not worth a start


def measured(*, lines: int, running_seconds: float, start_seconds: float,
             previous: tuple[float | None, float | None]) -> tuple[float, float]:  # fmt: skip
    """The shop's bulk figures after an operation of ``lines`` finished: lines a second while it
    ran and Shopify's start-up, each averaged with what was known (half weight to the past)."""
    rate = lines / max(running_seconds, 0.001)
    old_rate, old_start = previous
    if old_rate is not None:
        rate = (rate + old_rate) / 2
    start = start_seconds if old_start is None else (start_seconds + old_start) / 2
    return rate, start


def ready_in_time(*, size: int, rates: Rates, ahead_seconds: float) -> int:
    """At most the lines of a chunk of ``size`` that can be prepared and started (our preparation,
    Shopify's start-up) by the time the shop's running operation ends (``ahead_seconds``; 0: none
    runs), so that the runner does not wait through a long preparation (e.g. 1,500 lines, 9 s,
    after a measuring operation of 3 s); at least ``RAMP_SECONDS`` of the runner's work. The next
    chunk is prepared while this one runs: the chunks grow to their full size within a few."""
    b, p = rates.bulk_lines_per_second, rates.prepare_seconds_per_line
    if not b or p <= 0:
        return size
    fits = int((ahead_seconds - (rates.bulk_start_seconds or 0.0)) / p)
    return min(size, max(fits, int(b * RAMP_SECONDS), MIN_CHUNK))
