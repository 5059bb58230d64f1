"""The retention purge: every record, whatever its state, loses its customer's personal data once
the retention period has passed since its last activity (final, or stale); what the merchant needs
for support stays. A waiting order purged of its address is never pushed: it ends failed, for a
re-import."""

import json
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from integrations.orders.models import OrderChange, PushAttempt, PushRecord
from integrations.orders.services import lifecycle
from integrations.orders.services.imports import import_orders
from integrations.orders.services.privacy import purge_expired_personal_data
from integrations.orders.tasks import purge_personal_data
from tests.support.change_records import change
from tests.support.push_records import attempt, plain_shop, record
from tests.support.push_records import connection as backerkit_connection

State = PushRecord.State
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "backerkit" / "orders"
ORDER = json.loads((FIXTURES / "paid.json").read_text())


def order_data(order_id: str) -> dict:
    return {key: value for key, value in {**ORDER, "id": order_id}.items() if key not in ("note", "survey_answers")}


def sent_input(order_id: str) -> dict:
    address = ORDER["shipping_address"]
    return {
        "order": {
            "sourceIdentifier": order_id,
            "email": ORDER["email"],
            "customer": {"toUpsert": {"email": ORDER["email"], "firstName": "Ada", "lastName": "Lovelace"}},
            "shippingAddress": {
                "firstName": "Ada",
                "lastName": "Lovelace",
                "address1": address["address1"],
                "city": address["city"],
                "zip": address["postal_code"],
                "countryCode": "US",
                "provinceCode": "CA",
                "phone": address["phone"],
            },  # fmt: skip
        }
    }


@pytest.fixture
def store(db):
    shop = plain_shop("retention-store.myshopify.com")
    return shop, backerkit_connection(shop)


def seeded(store, order_id: str, state: str, *, days_ago: float, **fields) -> PushRecord:
    shop, conn = store
    data = {"order_data": order_data(order_id), "customer_digest": "d" * 64, **fields}
    if state in (State.PUSHED, State.PUSHING):
        data.setdefault("sent_input", sent_input(order_id))
    rec = record(shop, conn, order_id, state=state, **data)
    moment = timezone.now() - timedelta(days=days_ago)
    # update(): auto_now would overwrite updated_at on save
    PushRecord.objects.filter(id=rec.id).update(updated_at=moment, pushed_at=moment if rec.pushed_at else None)
    return PushRecord.objects.get(id=rec.id)


def aged_attempt(rec: PushRecord, *, days_ago: float, detail: str = "") -> PushAttempt:
    made = attempt(rec, PushAttempt.Outcome.NEEDS_ATTENTION, detail=detail)
    PushAttempt.objects.filter(id=made.id).update(finished_at=timezone.now() - timedelta(days=days_ago))
    return made


def test_every_record_past_the_retention_period_is_purged_whatever_its_state(store, settings):
    settings.PERSONAL_DATA_RETENTION_DAYS = 30
    old = {state: seeded(store, f"bk-old-{state}", state, days_ago=31)
           for state in (State.PUSHED, State.FAILED, State.NEEDS_ATTENTION, State.PAUSED, State.PENDING)}  # fmt: skip
    recent = {state: seeded(store, f"bk-new-{state}", state, days_ago=29) for state in old}

    purged = purge_expired_personal_data()

    assert purged == len(old)
    for before in old.values():
        after = PushRecord.objects.get(id=before.id)
        assert after.order_data is None and after.sent_input is None and after.personal_data_purged_at
        # what the merchant needs for support stays
        assert after.backerkit_order_id == before.backerkit_order_id and after.backer_id == before.backer_id
        assert after.amount_paid == Decimal("90.00") and after.currency == "USD"
        assert after.shopify_order_id == before.shopify_order_id
        assert after.shopify_order_name == before.shopify_order_name
        assert after.customer_digest == before.customer_digest  # a data request still finds the trail
    pushed = PushRecord.objects.get(id=old[State.PUSHED].id)
    assert pushed.state == State.PUSHED and pushed.financial_status == "PAID"
    for before in recent.values():
        after = PushRecord.objects.get(id=before.id)
        assert after.order_data == order_data(before.backerkit_order_id) and after.personal_data_purged_at is None


def test_a_waiting_record_purged_of_its_address_ends_failed_and_is_never_pushed(store, settings):
    settings.PERSONAL_DATA_RETENTION_DAYS = 30
    shop, conn = store
    pending = seeded(store, "bk-stale-pending", State.PENDING, days_ago=45)
    paused = seeded(store, "bk-stale-paused", State.PAUSED, days_ago=45)
    attention = seeded(store, "bk-stale-attention", State.NEEDS_ATTENTION, days_ago=45)

    purge_expired_personal_data()

    for before in (pending, paused):
        after = PushRecord.objects.get(id=before.id)
        assert after.state == State.FAILED and after.invalid_input
        assert after.last_error == (
            "Personal data erased after 30 days; re-import the order from BackerKit to push it."
        )
    kept_reason = PushRecord.objects.get(id=attention.id)
    assert kept_reason.state == State.NEEDS_ATTENTION and kept_reason.invalid_input
    assert kept_reason.last_error.startswith("SKU EXP-FROST is not in your Shopify store.")
    assert "re-import the order from BackerKit" in kept_reason.last_error
    assert lifecycle.retry_records(shop_id=shop.id) == 0  # nothing left a retry could push without its data

    import_orders(shop=shop, connection=conn, entries=[(1, {**ORDER, "id": "bk-stale-pending"})], source="file",
                  label="again.jsonl", start_push=False)  # fmt: skip

    again = PushRecord.objects.get(id=pending.id)
    assert again.state == State.PENDING and not again.invalid_input
    assert again.order_data["shipping_address"]["address1"] == "12 Main Street"


def test_a_record_with_a_recent_attempt_is_not_stale_and_one_being_pushed_is_left_alone(store, settings):
    settings.PERSONAL_DATA_RETENTION_DAYS = 30
    retried = seeded(store, "bk-retried", State.NEEDS_ATTENTION, days_ago=60)
    aged_attempt(retried, days_ago=2)
    in_flight = seeded(store, "bk-in-flight", State.PUSHING, days_ago=60)

    assert purge_expired_personal_data() == 0

    assert PushRecord.objects.get(id=retried.id).order_data is not None
    assert PushRecord.objects.get(id=in_flight.id).state == State.PUSHING
    assert PushRecord.objects.get(id=in_flight.id).order_data is not None


def test_the_purge_scrubs_personal_values_from_error_texts_and_attempt_details(store, settings):
    settings.PERSONAL_DATA_RETENTION_DAYS = 30
    # Written before messages stopped quoting values, or by Shopify's own userErrors.
    quoted = seeded(store, "bk-quoted", State.FAILED, days_ago=40,
                    last_error='order bk-quoted: email: "ADA@example.com" is not an email address')  # fmt: skip
    refused = "Shopify refused: address 12 Main Street, Springfield 90210; SKU DICE-METAL"
    aged_attempt(quoted, days_ago=40, detail=refused)

    purge_expired_personal_data()

    after = PushRecord.objects.get(id=quoted.id)
    assert "ada@example.com" not in after.last_error.lower() and '"[erased]"' in after.last_error
    detail = PushAttempt.objects.get(record=after).detail
    assert detail == "Shopify refused: address [erased], [erased] [erased]; SKU DICE-METAL"


def test_a_record_that_cannot_be_decrypted_is_logged_and_the_others_are_still_purged(store, settings, caplog):
    settings.PERSONAL_DATA_RETENTION_DAYS = 30
    good = [seeded(store, f"bk-good-{n}", State.PUSHED, days_ago=40) for n in range(3)]
    broken = seeded(store, "bk-broken", State.PUSHED, days_ago=40)
    with connection.cursor() as cursor:  # written under a key that is no longer listed
        cursor.execute("UPDATE orders_pushrecord SET order_data = %s WHERE id = %s",
                       ["gAAAAABlost-key-ciphertext", broken.id])  # fmt: skip

    assert purge_expired_personal_data() == 3

    assert all(PushRecord.objects.get(id=r.id).personal_data_purged_at for r in good)
    failure = next(r for r in caplog.records if getattr(r, "event", r.getMessage()) == "privacy.erase_failed")
    assert failure.record_id == broken.id and len(failure.error_id) == 12


def test_the_beat_task_runs_the_purge(store, settings):
    settings.PERSONAL_DATA_RETENTION_DAYS = 30
    old = seeded(store, "bk-task", State.PUSHED, days_ago=31)

    purge_personal_data.apply()

    assert PushRecord.objects.get(id=old.id).personal_data_purged_at is not None


def test_a_record_reimported_after_its_purge_is_purged_again_when_its_time_comes(store, settings):
    settings.PERSONAL_DATA_RETENTION_DAYS = 30
    shop, conn = store
    stale = seeded(store, "bk-again", State.PENDING, days_ago=31)
    purge_expired_personal_data()
    import_orders(shop=shop, connection=conn, entries=[(1, {**ORDER, "id": "bk-again"})], source="file",
                  label="again.jsonl", start_push=False)  # fmt: skip
    assert PushRecord.objects.get(id=stale.id).personal_data_purged_at is None  # the retention counts again

    PushRecord.objects.filter(id=stale.id).update(updated_at=timezone.now() - timedelta(days=31))
    purge_expired_personal_data()

    assert PushRecord.objects.get(id=stale.id).order_data is None


def test_data_a_lane_wrote_after_the_erasure_is_erased_by_the_next_purge(store, settings):
    settings.PERSONAL_DATA_RETENTION_DAYS = 30
    # customers/redact ran while a lane was sending the order; the lane then recorded what it sent.
    late = seeded(store, "bk-late", State.PUSHED, days_ago=0, personal_data_purged_at=timezone.now(),
                  order_data=None, sent_input=sent_input("bk-late"))  # fmt: skip

    assert purge_expired_personal_data() == 1

    assert PushRecord.objects.get(id=late.id).sent_input is None


def test_the_changes_of_a_purged_order_lose_their_personal_data_and_open_ones_end_dismissed(store, settings):
    settings.PERSONAL_DATA_RETENTION_DAYS = 30
    old = seeded(store, "bk-old-changed", State.PUSHED, days_ago=31)
    applied = change(old, state=OrderChange.State.APPLIED)
    waiting = change(old, state=OrderChange.State.AWAITING_APPROVAL)
    OrderChange.objects.filter(record=old).update(updated_at=timezone.now() - timedelta(days=31))

    purge_expired_personal_data()

    for made in (applied, waiting):
        made.refresh_from_db()
        assert made.order_data is None and made.diff is None and made.conflict is None
    assert applied.state == OrderChange.State.APPLIED
    assert waiting.state == OrderChange.State.DISMISSED and waiting.resolution
