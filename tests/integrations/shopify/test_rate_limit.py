"""The shared mirror of a shop's cost bucket, on the real Redis every worker shares."""

import threading
import time

import pytest
import redis

from integrations.shopify.client import QueryCost, ThrottleStatus
from integrations.shopify.rate_limit import _OBSERVE_AND_RESERVE, _RESERVE, _STILL_BOOKED, CostBucket


@pytest.fixture
def bucket(request, settings):
    settings.SHOPIFY_BUCKET_RESERVE_SECONDS = 0  # exact figures; the reserve has its own test
    bucket = CostBucket(f"bucket-{request.node.name[:30]}.myshopify.com")
    bucket._redis.delete(bucket.key)
    return bucket


# By default a report that charged nothing: most tests here are about the reported status.
def reported(available: float, *, maximum: float = 100.0, rate: float = 50.0, requested: float = 10.0, actual=0.0):
    return QueryCost(
        requested=requested,
        actual=actual,
        throttle_status=ThrottleStatus(maximum_available=maximum, currently_available=available, restore_rate=rate),
    )


def test_cost_is_taken_while_the_bucket_has_it(bucket):
    bucket.observe(reported(100.0))
    assert bucket.take(60) == 0
    assert bucket.take(30) == 0


def test_an_empty_bucket_says_how_long_to_wait_at_the_restore_rate(bucket):
    bucket.observe(reported(5.0, rate=50.0))
    wait = bucket.take(30)
    assert 0.4 < wait <= 0.5  # 25 points missing at 50 points/s


def test_two_clients_share_one_bucket(bucket):
    other_worker = CostBucket(bucket.shop)
    bucket.observe(reported(20.0, rate=1.0))
    assert bucket.take(15) == 0
    assert other_worker.take(15) > 0


def test_shopify_reporting_less_than_the_mirror_lowers_it(bucket):
    bucket.observe(reported(100.0, rate=1.0))
    bucket.observe(reported(12.0, rate=1.0))
    assert bucket.take(12) == 0
    assert bucket.take(5) > 0


def test_the_bucket_refills_with_time(bucket):
    bucket.observe(reported(0.0, rate=1000.0, maximum=1000.0))
    assert bucket.take(50) > 0
    deadline = time.monotonic() + 2
    while bucket.take(50) > 0:
        assert time.monotonic() < deadline, "the mirror never refilled"
        time.sleep(0.01)


def test_drain_after_a_throttled_answer_makes_everyone_wait(bucket):
    bucket.observe(reported(100.0, rate=100.0))
    bucket.drain(1.0)
    assert bucket.take(1) > 0.5


def test_a_call_gets_back_what_it_took_and_shopify_did_not_charge(bucket):
    bucket.observe(reported(100.0, rate=0.01))
    assert bucket.take(50) == 0
    bucket.observe(reported(100.0, rate=0.01, requested=50.0, actual=20.0), taken=50.0)
    assert bucket.take(80) == 0
    assert bucket.take(1) > 0


def test_a_call_charged_only_afterwards_is_taken_off_the_mirror(bucket):
    bucket.observe(reported(100.0, rate=0.01))
    bucket.observe(reported(100.0, rate=0.01, requested=30.0, actual=30.0), taken=0.0)
    assert bucket.take(70) == 0
    assert bucket.take(1) > 0


def test_the_mirror_keeps_a_reserve_for_calls_that_arrive_in_clumps(bucket, settings):
    settings.SHOPIFY_BUCKET_RESERVE_SECONDS = 0.1  # 5 points at 50 points/s (at most a tenth of 100)
    bucket.observe(reported(100.0, rate=50.0))
    assert bucket.take(95) == 0
    assert bucket.take(1) > 0


def test_drain_never_raises_the_mirror_over_calls_still_in_flight(bucket):
    bucket.observe(reported(100.0, rate=1.0))
    assert bucket.take(100) == 0
    bucket.observe(reported(100.0, rate=1.0, requested=50.0, actual=50.0))  # 50 points owed
    bucket.drain(1.0)
    assert bucket.take(1) > 40


def test_a_mirror_that_was_lost_starts_from_shopifys_figure_without_charging_twice(bucket):
    # Shopify's currentlyAvailable already counts this call's charge.
    bucket.observe(reported(100.0, rate=0.01, requested=30.0, actual=30.0), taken=0.0)
    assert bucket.take(100) == 0


def test_a_reader_with_a_bounded_share_only_spends_the_top_of_the_bucket(bucket):
    bucket.observe(reported(100.0, rate=1.0))
    assert bucket.take(20, leave=0.75) == 0  # 100 -> 80: above the 75 left to the push
    assert bucket.take(10, leave=0.75) > 0  # 80 -> 70 would eat into the push's share
    assert bucket.take(70) == 0  # the push itself may still use all of it


class CountingRedis(redis.Redis):
    """The real client, counting the commands it sends (the Redis server is shared by other tests)."""

    calls = 0

    def execute_command(self, *args, **options):
        CountingRedis.calls += 1
        return super().execute_command(*args, **options)


def test_a_waiting_call_books_its_cost_and_sleeps_once_instead_of_asking_again(bucket, settings):
    bucket.observe(reported(0.0, rate=100.0))
    other_worker = CostBucket(bucket.shop)
    for worker in (bucket, other_worker):
        worker._redis = CountingRedis.from_url(settings.REDIS_URL)
    finished: dict[str, float] = {}
    started = time.monotonic()

    def send(name: str, worker: CostBucket) -> None:
        assert worker.wait_and_take(10, max_wait=5) == 0
        finished[name] = time.monotonic() - started

    for script in (_RESERVE, _STILL_BOOKED):
        bucket._redis.script_load(script)  # known to Redis (a fresh one answers NOSCRIPT once, then loads it)
    calls_before = CountingRedis.calls
    threads = [threading.Thread(target=send, args=(str(i), w)) for i, w in enumerate([bucket, other_worker] * 3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # Six calls of 10 points at 100 points/s from empty: booked one behind the other, the last one
    # after ~0.6 s; each asked the mirror twice (book, then check no drain came), never polled.
    assert sorted(finished.values())[-1] >= 0.55, finished
    assert CountingRedis.calls - calls_before == 6 * 2


def test_a_drain_while_a_call_sleeps_on_its_booking_makes_it_wait_for_the_drain(bucket):
    bucket.observe(reported(0.0, rate=100.0))
    started = time.monotonic()
    result: list[float] = []
    waiting = threading.Thread(target=lambda: result.append(bucket.wait_and_take(10, max_wait=5)))
    waiting.start()
    deadline = time.monotonic() + 2
    while not bucket._redis.hget(bucket.key, "available") or float(bucket._redis.hget(bucket.key, "available")) >= 0:
        assert time.monotonic() < deadline, "the call never booked"
        time.sleep(0.005)
    CostBucket(bucket.shop).drain(1.0)  # another lane was throttled meanwhile
    waiting.join()
    assert result == [0.0]
    assert time.monotonic() - started >= 1.0  # not at its booking (0.1 s), after the drain


def test_a_call_taken_ahead_goes_at_once_and_later_bookings_wait_for_it(bucket):
    # Given: lanes' calls booked 2 s ahead (the mirror 200 points below zero at 100 points/s)
    bucket.observe(reported(0.0, rate=100.0, maximum=2000.0))
    assert bucket.wait_and_take(200, max_wait=0) > 1.9  # patience 0: nothing booked yet
    bucket._script(_RESERVE, time.time(), 200, 0, 10)  # booked: a lane sleeps on it

    # When: a bulk operation's control call is taken ahead
    started = time.monotonic()
    bucket.take_ahead(10)

    # Then: it did not wait, and the next booking comes after it (2.2 s, not 2.1 s)
    assert time.monotonic() - started < 0.1
    assert bucket.wait_and_take(10, max_wait=0) > 2.15


def test_a_call_whose_wait_is_longer_than_its_patience_books_nothing(bucket):
    bucket.observe(reported(0.0, rate=10.0))
    wait = bucket.wait_and_take(10, max_wait=0.5)
    assert 0.9 < wait <= 1.0
    assert float(bucket._redis.hget(bucket.key, "available")) >= -0.01  # nothing booked


def test_a_bounded_reader_waiting_for_its_share_books_nothing_ahead(bucket):
    bucket.observe(reported(80.0, rate=1.0))
    wait = bucket.wait_and_take(10, max_wait=0.2, leave=0.75)  # 80 -> 70 would eat into the push's 75
    assert wait > 0
    assert float(bucket._redis.hget(bucket.key, "available")) >= 79.0  # nothing taken or booked


def test_a_sends_answer_rides_on_the_next_take_in_one_call(bucket, settings):
    bucket.observe(reported(100.0, rate=0.01))
    assert bucket.wait_and_take(50, max_wait=0) == 0
    bucket._redis = CountingRedis.from_url(settings.REDIS_URL)
    bucket._redis.script_load(_OBSERVE_AND_RESERVE)
    calls_before = CountingRedis.calls
    # Shopify charged 20 of the 50 taken: the 30 come back, with the next take of this lane.
    bucket.observe(reported(100.0, rate=0.01, requested=50.0, actual=20.0), taken=50.0, defer=True)
    assert CountingRedis.calls == calls_before  # nothing sent yet
    assert bucket.wait_and_take(80, max_wait=0) == 0
    assert CountingRedis.calls - calls_before == 1  # the answer and the take: one script call
    assert bucket.take(1) > 0


def test_a_deferred_answer_counts_the_restore_since_shopify_gave_it(bucket):
    bucket.observe(reported(100.0, rate=100.0))
    bucket.observe(reported(0.0, rate=100.0, requested=10.0, actual=10.0), taken=10.0, defer=True)
    time.sleep(0.3)  # Shopify's bucket restores 30 points meanwhile: the mirror must not forget them
    assert bucket.wait_and_take(20, max_wait=0) == 0


def test_a_deferred_answer_is_written_by_flush_and_before_any_other_use(bucket):
    bucket.observe(reported(100.0, rate=0.01))
    bucket.observe(reported(40.0, rate=0.01), defer=True)
    assert float(bucket._redis.hget(bucket.key, "available")) > 99
    bucket.flush()
    assert float(bucket._redis.hget(bucket.key, "available")) <= 40.01
    bucket.flush()  # nothing left to write
    bucket.observe(reported(30.0, rate=0.01), defer=True)
    assert bucket.take(31) > 0  # take (not a booking) writes it first too
    bucket.observe(reported(30.0, rate=5.0), defer=True)
    assert bucket.restore_rate() == 5.0  # reading the shop's figures sees it (without a write of its own)
