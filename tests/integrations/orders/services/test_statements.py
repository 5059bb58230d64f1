"""The outcome writes of the lane (services/statements.py): one statement on PostgreSQL, the
ORM's two in a transaction elsewhere (the embedded default's SQLite). Both write the same thing."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from integrations.orders.models import PushAttempt, PushRecord
from integrations.orders.services import claims
from tests.support.push_records import connection as backerkit_connection
from tests.support.push_records import plain_shop, record

pytestmark = pytest.mark.django_db

State = PushRecord.State
Outcome = PushAttempt.Outcome


@pytest.fixture(params=["one statement", "orm"])
def writer_path(request, monkeypatch):
    if request.param == "orm":
        # The path SQLite takes: the vendor is what decides it.
        monkeypatch.setattr(connection, "vendor", "sqlite")
    return request.param


@pytest.fixture
def claimed():
    shop = plain_shop()
    conn = backerkit_connection(shop)
    rec = record(shop, conn, "bk-1", state=State.PUSHING, claim_token="lane-a", last_sent_at=timezone.now())
    return rec


def test_pushed_is_written_with_its_attempt_whoever_holds_the_claim(claimed, writer_path):
    started = timezone.now()

    claims.mark_pushed(record=claimed, shopify_order_id="gid://shopify/Order/7", shopify_order_name="#1007",
                       financial_status="PAID", outcome=Outcome.CREATED, started_at=started)  # fmt: skip

    claimed.refresh_from_db()
    assert (claimed.state, claimed.shopify_order_id, claimed.shopify_order_name) == (
        State.PUSHED, "gid://shopify/Order/7", "#1007",
    )  # fmt: skip
    assert claimed.claim_token == "" and claimed.last_sent_at is None and claimed.pushed_at is not None
    attempt = claimed.push_attempts.get()
    assert (attempt.outcome, attempt.started_at) == (Outcome.CREATED, started)


def test_pushed_twice_keeps_the_first_result_and_records_both_attempts(claimed, writer_path):
    for order_id in ("gid://shopify/Order/7", "gid://shopify/Order/8"):
        claims.mark_pushed(record=claimed, shopify_order_id=order_id, shopify_order_name="#1007",
                           financial_status="PAID", outcome=Outcome.FOUND_EXISTING,
                           started_at=timezone.now())  # fmt: skip

    claimed.refresh_from_db()
    assert claimed.shopify_order_id == "gid://shopify/Order/7"
    assert claimed.push_attempts.count() == 2


def test_an_outcome_is_written_only_while_the_lane_holds_the_claim(claimed, writer_path):
    lost = claims.finish(record=claimed, token="lane-b", state=State.FAILED, outcome=Outcome.INVALID,
                         started_at=timezone.now(), error="not mine")  # fmt: skip
    held = claims.finish(record=claimed, token="lane-a", state=State.NEEDS_ATTENTION,
                         outcome=Outcome.USER_ERRORS, started_at=timezone.now(),
                         error="Shopify refused the order: no such variant")  # fmt: skip

    claimed.refresh_from_db()
    assert (lost, held) == (False, True)
    assert claimed.state == State.NEEDS_ATTENTION and claimed.last_error.startswith("Shopify refused")
    assert list(claimed.push_attempts.values_list("outcome", flat=True)) == [Outcome.USER_ERRORS]


def test_on_postgresql_an_outcome_and_its_attempt_are_one_round_trip(claimed):
    with CaptureQueriesContext(connection) as queries:
        claims.finish(record=claimed, token="lane-a", state=State.PENDING, outcome=Outcome.TRANSIENT,
                      started_at=timezone.now(), error="Shopify answered 503")  # fmt: skip

    assert len(queries.captured_queries) == 1
    assert claimed.push_attempts.count() == 1


def test_a_claim_takes_the_claimable_records_once_in_id_order(writer_path):
    shop = plain_shop()
    conn = backerkit_connection(shop)
    for i in range(5):
        record(shop, conn, f"bk-{i}", attempts=i)
    record(shop, conn, "bk-later", not_before=timezone.now() + timezone.timedelta(hours=1))
    record(shop, conn, "bk-done", state=State.PUSHED)

    first = claims.claim_batch(shop_id=shop.id, limit=3, token="lane-a")
    second = claims.claim_batch(shop_id=shop.id, limit=3, token="lane-b")

    assert [r.backerkit_order_id for r in first] == ["bk-0", "bk-1", "bk-2"]
    assert [r.backerkit_order_id for r in second] == ["bk-3", "bk-4"]
    assert [r.attempts for r in first + second] == [1, 2, 3, 4, 5]
    assert {(r.state, r.claim_token) for r in first} == {(State.PUSHING, "lane-a")}
    assert first[0].order_data == {"id": "bk-0", "email": "ada@example.com"}  # decrypted like any row
    stored = PushRecord.objects.get(backerkit_order_id="bk-3")
    assert (stored.state, stored.claim_token, stored.attempts) == (State.PUSHING, "lane-b", 4)


def _kept_behind(rec) -> claims.WriteBehind:
    """A lane's write-behind holding ``rec``'s pushed outcome, not written yet."""
    behind = claims.WriteBehind()
    claims.mark_pushed(record=rec, shopify_order_id="gid://shopify/Order/7", shopify_order_name="#1007",
                       financial_status="PAID", outcome=Outcome.CREATED, started_at=timezone.now(),
                       behind=behind)  # fmt: skip
    return behind


def test_a_pushed_outcome_kept_behind_rides_on_the_next_stamp(claimed, writer_path):
    nxt = record(claimed.shop, claimed.connection, "bk-2", state=State.PUSHING, claim_token="lane-a")
    behind = _kept_behind(claimed)
    assert not claimed.push_attempts.exists()  # kept, not written yet

    with CaptureQueriesContext(connection) as queries:
        stamped = claims.mark_sending(record=nxt, token="lane-a", sent_input={"order": {"note": "x"}}, after=behind)

    assert stamped
    claimed.refresh_from_db()
    nxt.refresh_from_db()
    assert (claimed.state, claimed.shopify_order_id, claimed.last_sent_at) == (
        State.PUSHED, "gid://shopify/Order/7", None,
    )  # fmt: skip
    assert list(claimed.push_attempts.values_list("outcome", flat=True)) == [Outcome.CREATED]
    assert nxt.state == State.PUSHING and nxt.last_sent_at is not None and nxt.sent_input == {"order": {"note": "x"}}
    writes = [q for q in queries.captured_queries if q["sql"].startswith(("WITH", "UPDATE", "INSERT"))]
    assert len(writes) == (1 if writer_path == "one statement" else 3)
    assert behind.take() is None


def test_the_pushed_outcome_is_written_even_when_the_next_stamp_finds_its_claim_gone(claimed, writer_path):
    taken = record(claimed.shop, claimed.connection, "bk-2", state=State.PUSHING, claim_token="lane-b")
    behind = _kept_behind(claimed)

    stamped = claims.mark_sending(record=taken, token="lane-a", sent_input={"order": {}}, after=behind)

    assert not stamped  # another lane holds it: this lane must not send
    claimed.refresh_from_db()
    taken.refresh_from_db()
    assert claimed.state == State.PUSHED and claimed.push_attempts.count() == 1
    assert taken.last_sent_at is None and taken.claim_token == "lane-b"


def test_any_other_outcome_writes_the_kept_pushed_outcome_first(claimed, writer_path):
    nxt = record(claimed.shop, claimed.connection, "bk-2", state=State.PUSHING, claim_token="lane-a")
    behind = _kept_behind(claimed)

    claims.OutcomeWriter(record=nxt, token="lane-a", started_at=timezone.now(), behind=behind).needs_attention(
        Outcome.NEEDS_ATTENTION, "No Shopify product has the SKU 'X'."
    )

    claimed.refresh_from_db()
    nxt.refresh_from_db()
    assert (claimed.state, nxt.state) == (State.PUSHED, State.NEEDS_ATTENTION)
    assert behind.take() is None
