"""The time left of a push on both roads: pure arithmetic, the figures read by progress.py.

The calls road pushes the orders of the queue at its rate (measured, never above the bucket's).
The bulk road's orders are those its operations hold: lines still running in Shopify (an
operation's lines less its ``objectCount``, as Shopify last reported it), executed at the shop's
learned lines a second (or, on a shop's first operation, at the pace its ``objectCount`` shows),
after Shopify's start-up for an operation not yet seen running. While the road stays open, what the
calls would still have left when the running operations end is shared with the next chunk, as
bulk_sizing.py sizes it (both roads finish together).
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class RunningOperation:
    lines_left: int  # lines Shopify has not executed yet
    start_left: float = 0.0  # seconds until Shopify starts it (0 once seen running)
    observed_rate: float | None = None  # lines a second its objectCount moved since it was seen running


@dataclass(frozen=True)
class Roads:
    queue: int  # orders for the calls road (remaining, less what the bulk operations hold)
    calls_per_second: float
    operations: tuple[RunningOperation, ...] = ()
    bulk_lines_per_second: float | None = None  # learned on the shop's finished operations
    bulk_start_seconds: float | None = None
    road_open: bool = False  # further chunks may start


def bulk_seconds(roads: Roads) -> float | None:
    """When the running operations are all done (they run side by side in Shopify); None when no
    pace is known for one of them."""
    longest = 0.0
    for operation in roads.operations:
        rate = roads.bulk_lines_per_second or operation.observed_rate
        if operation.lines_left <= 0:
            continue
        if not rate or rate <= 0:
            return None
        longest = max(longest, operation.start_left + operation.lines_left / rate)
    return longest


def seconds_left(roads: Roads) -> float | None:
    calls = max(roads.calls_per_second, 0.0)
    bulk = bulk_seconds(roads)
    if bulk is None:  # a first operation not yet moving: its lines at the calls' pace, as before
        held = sum(op.lines_left for op in roads.operations)
        return (roads.queue + held) / calls if calls > 0 else None
    if roads.queue <= 0:
        return bulk
    rate, start = roads.bulk_lines_per_second, roads.bulk_start_seconds or 0.0
    if roads.road_open and rate:
        # Calls at c for T, the next chunk at b from when the running ones end plus a start-up:
        # c*T + b*(T - bulk - start) = queue.
        together = (roads.queue + rate * (bulk + start)) / (calls + rate)
        if together > bulk + start:
            return together
    if calls <= 0:
        return None
    return max(roads.queue / calls, bulk)
