"""The time left of a push on both roads, case by case (pure arithmetic)."""

import pytest

from integrations.orders.selectors.time_left import Roads, RunningOperation, seconds_left


def test_calls_alone_take_the_queue_at_their_rate():
    assert seconds_left(Roads(queue=1000, calls_per_second=10.0)) == pytest.approx(100.0)


def test_lines_still_running_in_shopify_count_at_the_bulk_roads_pace():
    roads = Roads(queue=0, calls_per_second=10.0, operations=(RunningOperation(lines_left=600),),
                  bulk_lines_per_second=20.0, bulk_start_seconds=2.0)  # fmt: skip

    assert seconds_left(roads) == pytest.approx(30.0)  # 600 lines at 20/s, not at the calls' 10/s


def test_an_operation_not_yet_started_adds_shopifys_start_up():
    roads = Roads(queue=0, calls_per_second=10.0, operations=(RunningOperation(lines_left=200, start_left=3.0),),
                  bulk_lines_per_second=50.0)  # fmt: skip

    assert seconds_left(roads) == pytest.approx(7.0)


def test_the_longer_road_sets_the_time_left_when_no_more_chunks_start():
    roads = Roads(queue=500, calls_per_second=10.0, operations=(RunningOperation(lines_left=200),),
                  bulk_lines_per_second=20.0, road_open=False)  # fmt: skip

    assert seconds_left(roads) == pytest.approx(50.0)  # the calls' 500 at 10/s outlast the bulk's 10 s


def test_an_open_road_shares_what_the_calls_would_have_left_with_the_next_chunk():
    roads = Roads(queue=1000, calls_per_second=10.0, operations=(RunningOperation(lines_left=200),),
                  bulk_lines_per_second=40.0, bulk_start_seconds=2.0, road_open=True)  # fmt: skip

    # 10*T + 40*(T - 5 - 2) = 1000
    assert seconds_left(roads) == pytest.approx((1000 + 40 * 7) / 50)


def test_a_first_operation_is_timed_by_its_own_object_count():
    roads = Roads(queue=0, calls_per_second=10.0, operations=(RunningOperation(lines_left=90, observed_rate=30.0),))

    assert seconds_left(roads) == pytest.approx(3.0)


def test_a_first_operation_not_moving_yet_counts_at_the_calls_pace():
    roads = Roads(queue=100, calls_per_second=10.0, operations=(RunningOperation(lines_left=50, start_left=1.0),))

    assert seconds_left(roads) == pytest.approx(15.0)
    assert seconds_left(Roads(queue=100, calls_per_second=0.0, operations=roads.operations)) is None
