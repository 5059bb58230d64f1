"""How much of a shop's queue its lanes hold at once: a few seconds of what its cost bucket lets through.

A lane claims a batch and sends it one call at a time through the shop's bucket; a record a lane
holds is out of the bulk road's reach (bulk_claims.py takes unclaimed records only). A fixed batch
holds very different amounts of time: 32 lanes x 25 orders are 800 orders, 8 s of calls on a Plus
store (1,000 points a second: 100 orderCreate a second) but 80 s on a Standard one (100 points: 10
a second), where the bulk road's last chunk then finished a minute before the calls. So a lane's
batch is its share of ``HOLD_SECONDS`` of the bucket's pace, all of the shop's lanes counted, at
least one record and at most ``PUSH_BATCH_SIZE``: on Plus (and larger) stores the batch stays the
setting's; on slower ones the lanes together hold about ``HOLD_SECONDS`` of calls.
https://shopify.dev/docs/api/usage/rate-limits (restore rates per plan)
"""

# What the shop's lanes together hold, in seconds of the bucket's pace: enough that no lane waits
# for a claim while the bucket has points, little enough that the bulk road can take the rest.
HOLD_SECONDS = 8.0


def batch_size(*, restore_rate: float, order_create_cost: float, lanes: int, largest: int) -> int:
    """Records one lane claims at a time, with the shop's bucket restoring ``restore_rate`` points a
    second, an orderCreate costing ``order_create_cost``, up to ``lanes`` lanes running and the
    setting's batch ``largest``."""
    per_second = restore_rate / max(order_create_cost, 1.0)
    share = int(per_second * HOLD_SECONDS / max(lanes, 1))
    return max(1, min(largest, share))
