"""Simulated network latency: a fixed delay or a uniform "min-max" range in milliseconds.

Shopify's Admin API typically answers in 100-300 ms, so throughput close to the rate limit needs
concurrent requests; the simulator sleeps in the request's own thread, never under the state lock,
so delays overlap instead of queueing.
"""

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class Latency:
    min_ms: float
    max_ms: float

    @classmethod
    def parse(cls, spec: "str | int | float | list | tuple | Latency | None") -> "Latency | None":
        """``150``, ``"150"``, ``"100-300"``, ``[100, 300]`` -> Latency; ``None``/``0``/``""`` -> None."""
        if spec is None or spec == "" or spec == 0:
            return None
        if isinstance(spec, Latency):
            return spec
        if isinstance(spec, list | tuple):
            low, high = (float(spec[0]), float(spec[-1]))
        elif isinstance(spec, int | float):
            low = high = float(spec)
        else:
            text = str(spec).strip().removesuffix("ms")
            if "-" in text:
                first, second = text.split("-", 1)
                low, high = float(first), float(second)
            else:
                low = high = float(text)
        if low < 0 or high < low:
            raise ValueError(f"latency must be 'ms' or 'min-max' with 0 <= min <= max, not {spec!r}")
        return cls(low, high)

    def sample_seconds(self) -> float:
        return random.uniform(self.min_ms, self.max_ms) / 1000.0

    def describe(self) -> str:
        return f"{self.min_ms:g}" if self.min_ms == self.max_ms else f"{self.min_ms:g}-{self.max_ms:g}"
