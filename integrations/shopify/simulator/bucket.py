"""The leaky bucket behind Admin GraphQL rate limits, one per app and shop.

The requested cost is taken up front; after execution the unused part (requested - actual) is given
back, and the bucket refills continuously at the plan's restore rate.
https://shopify.dev/docs/apps/build/apis/graphql-admin/rate-limits
Not thread-safe by itself: SimulatorState calls it under its lock.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class ThrottleStatus:
    maximum_available: float
    currently_available: float
    restore_rate: float

    def as_json(self) -> dict:
        return {
            "maximumAvailable": self.maximum_available,
            "currentlyAvailable": int(self.currently_available),
            "restoreRate": self.restore_rate,
        }


class LeakyBucket:
    def __init__(self, *, size: float, restore_rate: float, clock: Callable[[], float] = time.monotonic):
        self.size = size
        self.restore_rate = restore_rate
        self._clock = clock
        self._available = size
        self._updated = clock()

    def _refill(self) -> None:
        now = self._clock()
        self._available = min(self.size, self._available + (now - self._updated) * self.restore_rate)
        self._updated = now

    def try_take(self, cost: float) -> bool:
        """Take ``cost`` points if the bucket holds them; leave it untouched otherwise."""
        self._refill()
        if cost > self._available:
            return False
        self._available -= cost
        return True

    def give_back(self, points: float) -> None:
        self._refill()
        self._available = min(self.size, self._available + max(points, 0))

    def set_available(self, points: float) -> None:
        self._refill()
        self._available = max(0.0, min(self.size, points))

    def seconds_until(self, cost: float) -> float:
        self._refill()
        missing = cost - self._available
        return max(missing / self.restore_rate, 0.0) if self.restore_rate else 0.0

    def status(self) -> ThrottleStatus:
        self._refill()
        return ThrottleStatus(self.size, self._available, self.restore_rate)

    def resize(self, *, size: float, restore_rate: float) -> None:
        self._refill()
        self.size = size
        self.restore_rate = restore_rate
        self._available = min(self._available, size)
