"""How often ``push_orders`` counts its records while it waits (management/waiting.py): every half
second, and in the push's last second (by the pace of the last count) every tenth, so the command
ends when the push does."""

from integrations.orders.management.waiting import FINISHING_POLL_SECONDS, POLL_SECONDS, _poll_seconds


def test_the_last_second_of_the_push_is_counted_more_often():
    # 50 orders became final over the last half second: the 30 left take about 0.3 s.
    assert _poll_seconds(left=30, done=50, over=0.5) == FINISHING_POLL_SECONDS


def test_otherwise_every_half_second():
    assert _poll_seconds(left=3000, done=50, over=0.5) == POLL_SECONDS  # 30 s left at this pace
    assert _poll_seconds(left=30, done=0, over=0.5) == POLL_SECONDS  # no progress: no pace to go by
    assert _poll_seconds(left=30, done=50, over=0.0) == POLL_SECONDS
