"""Claims on their own, on PostgreSQL: what keeps two lanes from ever sending one record twice."""

import threading
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from integrations.orders.models import PushAttempt, PushRecord
from integrations.orders.services import claims
from tests.support.push_records import connection as bk_connection
from tests.support.push_records import plain_shop, record

State = PushRecord.State
Outcome = PushAttempt.Outcome


@pytest.fixture
def records(transactional_db):
    shop = plain_shop("claims-store.myshopify.com")
    conn = bk_connection(shop)
    return shop, [record(shop, conn, f"bk-{i}") for i in range(6)]


def test_claim_batch_skips_records_another_transaction_has_locked(records):
    shop, rows = records
    locked, done = threading.Event(), threading.Event()

    def hold_two() -> None:
        try:
            with transaction.atomic():
                list(PushRecord.objects.select_for_update().filter(id__in=[rows[0].id, rows[1].id]))
                locked.set()
                done.wait(timeout=30)
        finally:
            connection.close()

    holder = threading.Thread(target=hold_two)
    holder.start()
    try:
        assert locked.wait(timeout=30)
        batch = claims.claim_batch(shop_id=shop.id, limit=10, token="lane-a")
    finally:
        done.set()
        holder.join(timeout=30)

    assert [r.backerkit_order_id for r in batch] == ["bk-2", "bk-3", "bk-4", "bk-5"]
    assert all((r.state, r.claim_token, r.attempts) == (State.PUSHING, "lane-a", 1) for r in batch)
    assert PushRecord.objects.get(id=rows[0].id).state == State.PENDING


def test_claim_batch_leaves_records_deferred_until_later(records):
    shop, rows = records
    PushRecord.objects.filter(id=rows[0].id).update(not_before=timezone.now() + timedelta(minutes=5))

    batch = claims.claim_batch(shop_id=shop.id, limit=10, token="lane-a")

    assert rows[0].id not in [r.id for r in batch] and len(batch) == 5


def test_mark_sending_refuses_a_claim_the_sweeper_took_back(records):
    shop, _ = records
    [mine] = claims.claim_batch(shop_id=shop.id, limit=1, token="lane-a")
    PushRecord.objects.filter(id=mine.id).update(claimed_at=timezone.now() - timedelta(minutes=10))
    assert claims.recover_abandoned(lease_seconds=60) == 1
    [theirs] = claims.claim_batch(shop_id=shop.id, limit=1, token="lane-b")
    assert theirs.id == mine.id

    assert claims.mark_sending(record=mine, token="lane-a", sent_input={"order": {}}) is False

    stored = PushRecord.objects.get(id=mine.id)
    assert (stored.claim_token, stored.sent_input, stored.last_sent_at) == ("lane-b", None, None)
    assert claims.mark_sending(record=theirs, token="lane-b", sent_input={"order": {}}) is True


def test_recover_abandoned_keeps_last_sent_at_so_the_next_lane_looks_the_order_up(records):
    shop, _ = records
    [claimed] = claims.claim_batch(shop_id=shop.id, limit=1, token="lane-a")
    assert claims.mark_sending(record=claimed, token="lane-a", sent_input={"order": {}})
    PushRecord.objects.filter(id=claimed.id).update(claimed_at=timezone.now() - timedelta(minutes=10))

    assert claims.recover_abandoned(lease_seconds=60) == 1

    stored = PushRecord.objects.get(id=claimed.id)
    assert (stored.state, stored.claim_token) == (State.PENDING, "")
    assert stored.last_sent_at is not None


def test_finish_writes_only_while_the_lane_holds_the_claim(records):
    shop, _ = records
    [claimed] = claims.claim_batch(shop_id=shop.id, limit=1, token="lane-a")
    started = timezone.now()

    assert not claims.finish(record=claimed, token="lane-b", state=State.FAILED, outcome=Outcome.INVALID,
                             started_at=started, error="not mine")  # fmt: skip
    assert claims.finish(record=claimed, token="lane-a", state=State.FAILED, outcome=Outcome.INVALID,
                         started_at=started, error="mine")  # fmt: skip

    stored = PushRecord.objects.get(id=claimed.id)
    assert (stored.state, stored.last_error, stored.claim_token) == (State.FAILED, "mine", "")
    assert list(stored.push_attempts.values_list("detail", flat=True)) == ["mine"]


def test_release_hands_records_back_uncounted_and_only_this_lanes(records):
    shop, _ = records
    batch = claims.claim_batch(shop_id=shop.id, limit=3, token="lane-a")
    ids = [r.id for r in batch]

    assert claims.release(record_ids=ids, token="lane-b") == 0
    assert claims.release(record_ids=ids, token="lane-a", state=State.PAUSED) == 3

    assert set(PushRecord.objects.filter(id__in=ids).values_list("state", "attempts", "claim_token")) == {
        (State.PAUSED, 0, "")
    }
    assert not PushAttempt.objects.filter(record_id__in=ids).exists()


def test_the_outcome_writer_retries_later_uncounted_or_keeping_the_send(records):
    shop, _ = records
    first, second = claims.claim_batch(shop_id=shop.id, limit=2, token="lane-a")
    for claimed in (first, second):
        claims.mark_sending(record=claimed, token="lane-a", sent_input={"order": {}})
    soon = claims.after(30)

    claims.OutcomeWriter(record=first, token="lane-a", started_at=timezone.now()).retry_later(
        Outcome.THROTTLED, until=soon, uncounted=True
    )
    claims.OutcomeWriter(record=second, token="lane-a", started_at=timezone.now()).retry_later(
        Outcome.AMBIGUOUS, "no answer", until=soon, keep_sent=True
    )

    first, second = PushRecord.objects.filter(id__in=[first.id, second.id]).order_by("id")
    assert (first.state, first.attempts, first.last_sent_at, first.not_before) == (State.PENDING, 0, None, soon)
    assert (second.state, second.attempts, second.not_before) == (State.PENDING, 1, soon)
    assert second.last_sent_at is not None  # looked up before it is sent again
