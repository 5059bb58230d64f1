"""How much of the queue the bulk road takes: measured figures in, a chunk out (pure)."""

from integrations.orders.services.bulk_sizing import (
    AUTO_THRESHOLD,
    FIRST_CHUNK,
    MAX_CHUNK,
    MAX_CHUNK_SECONDS,
    RAMP_SECONDS,
    Rates,
    chunk_size,
    measured,
    ready_in_time,
)

STANDARD = 10.0  # orders a second by calls on a Standard store


def test_nothing_for_calls_only_or_a_small_auto_push_and_a_small_first_chunk():
    unknown = Rates(STANDARD, None, None)
    assert chunk_size(pending=10_000, rates=unknown, road="calls") == 0
    assert chunk_size(pending=AUTO_THRESHOLD - 1, rates=unknown, road="auto") == 0
    assert chunk_size(pending=10_000, rates=unknown, road="auto") == FIRST_CHUNK


def test_a_chunk_is_sized_so_that_both_roads_finish_together():
    rates = Rates(STANDARD, 50.0, 2.0)
    pending = 2_000

    chunk = chunk_size(pending=pending, rates=rates, road="auto")

    calls_time = (pending - chunk) / STANDARD
    bulk_time = 2.0 + chunk / 50.0
    assert abs(calls_time - bulk_time) < 1.0
    assert chunk_size(pending=pending, rates=rates, road="bulk") == pending


def test_the_orders_the_lanes_already_hold_are_the_calls_work_too():
    rates = Rates(STANDARD, 50.0, 2.0)

    chunk = chunk_size(pending=1_700, backlog=300, rates=rates, road="auto")

    calls_time = (1_700 + 300 - chunk) / STANDARD
    assert abs(calls_time - (2.0 + chunk / 50.0)) < 1.0


def test_the_next_chunk_starts_when_the_running_operation_ends():
    rates = Rates(STANDARD, 50.0, 2.0)

    chunk = chunk_size(pending=2_000, rates=rates, road="auto", ahead_seconds=20.0)

    assert abs((2_000 - chunk) / STANDARD - (20.0 + chunk / 50.0)) < 1.0


def test_a_chunk_holds_at_most_45_seconds_of_the_runners_work():
    rates = Rates(STANDARD, 50.0, 2.0)

    assert chunk_size(pending=10_000, rates=rates, road="auto") == int(50.0 * MAX_CHUNK_SECONDS)
    assert chunk_size(pending=10**6, rates=rates, road="bulk") == int(50.0 * MAX_CHUNK_SECONDS)
    assert chunk_size(pending=10**6, rates=Rates(STANDARD, 1000.0, 2.0), road="bulk") == MAX_CHUNK


def test_no_chunk_when_the_calls_finish_before_bulk_would_start():
    assert chunk_size(pending=400, rates=Rates(STANDARD, 50.0, 60.0), road="auto") == 0


def test_figures_are_averaged_with_what_was_known():
    assert measured(lines=100, running_seconds=2.0, start_seconds=1.0, previous=(None, None)) == (50.0, 1.0)
    assert measured(lines=100, running_seconds=2.0, start_seconds=1.0, previous=(30.0, 3.0)) == (40.0, 2.0)


def test_our_preparation_of_a_chunk_counts_as_its_start_up():
    rates = Rates(STANDARD, 50.0, 2.0, prepare_seconds_per_line=0.004)

    chunk = chunk_size(pending=2_000, rates=rates, road="auto")

    bulk_time = 2.0 + 0.004 * chunk + chunk / 50.0
    assert abs((2_000 - chunk) / STANDARD - bulk_time) < 1.0
    assert chunk < chunk_size(pending=2_000, rates=Rates(STANDARD, 50.0, 2.0), road="auto")


def test_no_chunk_of_a_few_lines_when_the_lanes_hold_the_rest():
    assert chunk_size(pending=20, backlog=800, rates=Rates(STANDARD, 50.0, 2.0), road="auto") == 0


def test_after_a_short_operation_the_next_chunk_is_what_can_be_ready_as_it_ends():
    # Given: the measuring operation runs 2 s more; preparing takes 6 ms a line, Shopify 2 s to start
    rates = Rates(STANDARD, 50.0, 2.0, prepare_seconds_per_line=0.006)
    sized = chunk_size(pending=9_000, rates=rates, road="auto", ahead_seconds=2.0)
    assert sized * 0.006 > 8.0  # its preparation alone would keep the runner waiting 8 s and more

    # When / Then: the chunk holds RAMP_SECONDS of the runner's work, and the one prepared while it
    # runs (10 s ahead) what can start by its end
    assert ready_in_time(size=sized, rates=rates, ahead_seconds=2.0) == int(50.0 * RAMP_SECONDS)
    assert ready_in_time(size=sized, rates=rates, ahead_seconds=10.0) == int((10.0 - 2.0) / 0.006)
    assert ready_in_time(size=300, rates=rates, ahead_seconds=0.0) == 300  # a small one as it was
    assert ready_in_time(size=sized, rates=Rates(STANDARD, None, None), ahead_seconds=0.0) == sized
