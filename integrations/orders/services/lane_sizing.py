"""How many lanes a shop runs and how much of its queue they hold: what its cost bucket lets through.

A lane claims a batch and sends it one call at a time through the shop's bucket; a record a lane
holds is out of the bulk road's reach (bulk_claims.py takes unclaimed records only). A fixed batch
holds very different amounts of time: 32 lanes x 25 orders are 800 orders, 8 s of calls on a Plus
store (1,000 points a second: 100 orderCreate a second) but 80 s on a Standard one (100 points: 10
a second), where the bulk road's last chunk then finished a minute before the calls. So a lane's
batch is its share of ``HOLD_SECONDS`` of the bucket's pace, all of the shop's lanes counted, at
least one record and at most ``PUSH_BATCH_SIZE``: on Plus (and larger) stores the batch stays the
setting's; on slower ones the lanes together hold about ``HOLD_SECONDS`` of calls.

Lanes beyond those that keep the bucket busy only wait in it, each holding a worker thread (a
worker runs 32): on a Standard store 32 lanes filled a worker, and the bulk road's tasks waited
seconds behind them for a thread. A shop runs as many lanes as, each sending one call at a time
of up to ``CALL_SECONDS``, keep its bucket busy, at most ``PUSH_LANES_PER_SHOP``: 20 on Standard,
the setting's on Plus.
https://shopify.dev/docs/api/usage/rate-limits (restore rates per plan)
"""

import math

# What the shop's lanes together hold, in seconds of the bucket's pace: enough that no lane waits
# for a claim while the bucket has points, little enough that the bulk road can take the rest.
HOLD_SECONDS = 8.0
# The longest an orderCreate round trip is counted for (Shopify answers in well under a second;
# the margin is for a slow one): with this many in flight at once the bucket never idles.
CALL_SECONDS = 2.0


def lane_count(*, restore_rate: float, order_create_cost: float, largest: int) -> int:
    """Lanes the shop runs at once: enough to keep its bucket busy, at most ``largest`` (the setting)."""
    per_second = restore_rate / max(order_create_cost, 1.0)
    return max(1, min(largest, math.ceil(per_second * CALL_SECONDS)))


def batch_size(*, restore_rate: float, order_create_cost: float, lanes: int, largest: int) -> int:
    """Records one lane claims at a time, with the shop's bucket restoring ``restore_rate`` points a
    second, an orderCreate costing ``order_create_cost``, up to ``lanes`` lanes running and the
    setting's batch ``largest``."""
    per_second = restore_rate / max(order_create_cost, 1.0)
    share = int(per_second * HOLD_SECONDS / max(lanes, 1))
    return max(1, min(largest, share))
