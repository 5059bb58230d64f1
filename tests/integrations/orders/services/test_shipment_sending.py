"""Sending the outbox to the BackerKit simulator over HTTP: once, then never again; BackerKit's
errors by type (429 waits its Retry-After, down backs off with jitter, another 4xx needs attention
with BackerKit's words)."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from integrations.orders.fulfilments import Fulfilment, Tracking
from integrations.orders.models import ShipmentEvent
from integrations.orders.services.shipment_sending import send_event
from integrations.orders.services.shipments import record_fulfilment, resend
from tests.support.push_records import State, connection, plain_shop, record

Event = ShipmentEvent.State
KEY = "bk_live_1234567890abcd"


def fulfilment(*, order: str = "gid://shopify/Order/1001", number: str = "1Z1", seconds: int = 0) -> Fulfilment:
    updated = datetime(2026, 12, 1, 10, 0, tzinfo=UTC) + timedelta(seconds=seconds)
    return Fulfilment(
        id="gid://shopify/Fulfillment/7001", order_id=order, status="success", line_items=(("SKY-CORE", 2),),
        tracking=(Tracking(number=number, company="UPS", url=f"https://ups.example/{number}"),),
        created_at=updated - timedelta(minutes=1), updated_at=updated,
    )  # fmt: skip


@pytest.fixture
def waiting(db, backerkit_sim, django_capture_on_commit_callbacks):
    backerkit_sim.state.add_project(id="skyforge", api_key=KEY)
    backerkit_sim.state.add_orders("skyforge", [{"id": "BK-1"}])
    shop = plain_shop()
    record(shop, connection(shop), "BK-1", State.PUSHED)
    with django_capture_on_commit_callbacks():
        return record_fulfilment(shop_id=shop.id, fulfilment=fulfilment(), source="webhook").event


def test_a_waiting_event_is_sent_once_and_a_second_send_does_nothing(waiting, backerkit_sim):
    assert send_event(event_id=waiting.id) is None
    assert send_event(event_id=waiting.id) is None

    sent = ShipmentEvent.objects.get(id=waiting.id)
    assert (sent.state, sent.result, sent.attempts) == (Event.SENT, "created", 1) and sent.sent_at
    kept = backerkit_sim.state.shipments.shipments[("skyforge", "BK-1", "gid://shopify/Fulfillment/7001")]
    assert kept["body"]["line_items"] == [{"sku": "SKY-CORE", "quantity": 2}]
    assert len(backerkit_sim.state.shipments.acknowledgements) == 1


def test_a_429_waits_for_retry_after(waiting, backerkit_sim):
    backerkit_sim.state.add_faults(status=429, retry_after=40)

    retry_in = send_event(event_id=waiting.id)

    event = ShipmentEvent.objects.get(id=waiting.id)
    assert retry_in == 40 and event.state == Event.WAITING and "429" in event.last_error
    assert event.not_before > timezone.now() + timedelta(seconds=35)
    assert send_event(event_id=waiting.id) is None  # early: nothing sent, and no second message queued
    assert backerkit_sim.state.api_requests()[-1]["status"] == 429


def test_backerkit_down_backs_off_with_jitter_then_needs_attention_after_the_bound(waiting, backerkit_sim, settings):
    settings.SHIPMENT_MAX_ATTEMPTS = 3
    backerkit_sim.state.down = True
    waits = []
    for _ in range(3):
        ShipmentEvent.objects.filter(id=waiting.id).update(not_before=None)
        waits.append(send_event(event_id=waiting.id))

    assert waits[0] is not None and waits[1] is not None and waits[2] is None
    assert settings.SHIPMENT_BACKOFF_SECONDS / 2 <= waits[0] <= settings.SHIPMENT_BACKOFF_SECONDS
    event = ShipmentEvent.objects.get(id=waiting.id)
    assert event.state == Event.NEEDS_ATTENTION and "after 3 tries" in event.last_error


def test_a_refusal_needs_attention_with_backerkits_words_and_a_rep_can_resend(
    waiting, backerkit_sim, django_capture_on_commit_callbacks
):
    backerkit_sim.state.add_faults(status=422, body='{"error": "tracking[0].number: too long"}')

    assert send_event(event_id=waiting.id) is None
    event = ShipmentEvent.objects.get(id=waiting.id)
    assert event.state == Event.NEEDS_ATTENTION and "tracking[0].number: too long" in event.last_error

    with django_capture_on_commit_callbacks() as queued:
        resend(shop_id=event.shop_id, event_id=event.id)
    assert len(queued) == 1
    send_event(event_id=event.id)
    assert ShipmentEvent.objects.get(id=event.id).state == Event.SENT


def test_an_order_backerkit_does_not_know_needs_attention(waiting, backerkit_sim):
    backerkit_sim.state.project("skyforge").orders.clear()

    send_event(event_id=waiting.id)

    event = ShipmentEvent.objects.get(id=waiting.id)
    assert event.state == Event.NEEDS_ATTENTION and "no order 'BK-1'" in event.last_error


def test_the_sweep_sends_only_events_nobody_comes_back_for(waiting, backerkit_sim, settings):
    from integrations.orders.services.shipment_sending import due_events

    settings.SHIPMENT_SWEEP_AFTER_SECONDS = 20
    long_ago = timezone.now() - timedelta(minutes=5)
    ShipmentEvent.objects.filter(id=waiting.id).update(updated_at=long_ago)
    assert due_events() == [waiting.id]  # its first message was lost

    backerkit_sim.state.add_faults(status=429, retry_after=40)
    send_event(event_id=waiting.id)
    ShipmentEvent.objects.filter(id=waiting.id).update(updated_at=long_ago)
    assert due_events() == []  # its own retry comes back in 40 s: no second message
