"""Sending the outbox to the BackerKit simulator over HTTP: once, then never again; BackerKit's
errors by type. Down or throttling pauses the connection's outbox (one probe at the backoff or at
Retry-After, no attempt spent by the others); a refused key marks the connection refused until the
key is fixed; an unknown order or another 4xx needs attention for that event alone."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from integrations.orders.fulfilments import Fulfilment, Tracking
from integrations.orders.models import BackerKitConnection, ShipmentEvent, ShipmentPause
from integrations.orders.services.connections import check_connection
from integrations.orders.services.pull import pull
from integrations.orders.services.shipment_pause import start_drain
from integrations.orders.services.shipment_sending import drain_step, probe, send_event, sweep
from integrations.orders.services.shipments import record_fulfilment, resend
from tests.support.push_records import State, connection, plain_shop, record

Event = ShipmentEvent.State
KEY = "bk_live_1234567890abcd"
ORDERS = ("BK-1", "BK-2", "BK-3")


def fulfilment(*, order: str, fid: int, number: str = "1Z1") -> Fulfilment:
    updated = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
    return Fulfilment(
        id=f"gid://shopify/Fulfillment/{fid}", order_id=order, status="success", line_items=(("SKY-CORE", 2),),
        tracking=(Tracking(number=number, company="UPS", url=f"https://ups.example/{number}"),),
        created_at=updated - timedelta(minutes=1), updated_at=updated,
    )  # fmt: skip


@pytest.fixture
def events(db, backerkit_sim, django_capture_on_commit_callbacks) -> list[ShipmentEvent]:
    """One waiting shipment for each of three pushed orders of one connection (oldest first)."""
    backerkit_sim.state.add_project(id="skyforge", api_key=KEY)
    backerkit_sim.state.add_orders("skyforge", [{"id": o} for o in ORDERS])
    shop = plain_shop()
    conn = connection(shop)
    recorded = []
    for n, order_id in enumerate(ORDERS):
        gid = f"gid://shopify/Order/{1001 + n}"
        record(shop, conn, order_id, State.PUSHED, shopify_order_id=gid, shopify_order_name=f"#{1001 + n}")
        with django_capture_on_commit_callbacks():
            recorded.append(record_fulfilment(shop_id=shop.id, fulfilment=fulfilment(order=gid, fid=7001 + n),
                                              source="webhook").event)  # fmt: skip
    return recorded


@pytest.fixture
def waiting(events) -> ShipmentEvent:
    return events[0]


def reload(event: ShipmentEvent) -> ShipmentEvent:
    return ShipmentEvent.objects.get(id=event.id)


def the_connection(event: ShipmentEvent) -> BackerKitConnection:
    return BackerKitConnection.objects.get(push_records__shipment_events=event)


def writes(backerkit_sim) -> list[dict]:
    return [r for r in backerkit_sim.state.api_requests() if "/shipments/" in r["path"]]


def due_now(event: ShipmentEvent) -> None:
    BackerKitConnection.objects.filter(id=the_connection(event).id).update(
        shipments_paused_until=timezone.now() - timedelta(seconds=1)
    )


def test_a_waiting_event_is_sent_once_and_a_second_send_does_nothing(waiting, backerkit_sim):
    send_event(event_id=waiting.id)
    send_event(event_id=waiting.id)

    sent = reload(waiting)
    assert (sent.state, sent.result, sent.attempts) == (Event.SENT, "created", 1) and sent.sent_at
    kept = backerkit_sim.state.shipments.shipments[("skyforge", "BK-1", "gid://shopify/Fulfillment/7001")]
    assert kept["body"]["line_items"] == [{"sku": "SKY-CORE", "quantity": 2}]
    assert len(backerkit_sim.state.shipments.acknowledgements) == 1


def test_backerkit_down_pauses_the_connection_and_the_other_events_wait_without_a_try(events, backerkit_sim, settings):
    backerkit_sim.state.down = True

    after = send_event(event_id=events[0].id)
    for event in events[1:]:
        assert send_event(event_id=event.id).probe_in is None

    conn = the_connection(events[0])
    assert conn.shipments_pause_reason == ShipmentPause.DOWN and conn.shipments_failures == 1
    assert settings.SHIPMENT_BACKOFF_SECONDS / 2 <= after.probe_in <= settings.SHIPMENT_BACKOFF_SECONDS
    assert (after.connection_id, conn.shipments_paused_since is not None) == (conn.id, True)
    assert len(writes(backerkit_sim)) == 1  # the first send only
    assert [(reload(e).state, reload(e).attempts) for e in events] == [(Event.WAITING, 1), (Event.WAITING, 0),
                                                                        (Event.WAITING, 0)]  # fmt: skip


def test_the_probe_is_the_oldest_event_only_and_its_backoff_doubles_while_backerkit_stays_down(
    events, backerkit_sim, settings
):
    backerkit_sim.state.down = True
    send_event(event_id=events[1].id)  # the second event met the outage first
    conn = the_connection(events[0])

    assert probe(connection_id=conn.id).probe_in is None  # not due yet: nothing sent
    due_now(events[0])
    again = probe(connection_id=conn.id)

    assert len(writes(backerkit_sim)) == 2 and backerkit_sim.state.api_requests()[-1]["path"].endswith("7001")
    assert settings.SHIPMENT_BACKOFF_SECONDS <= again.probe_in <= 2 * settings.SHIPMENT_BACKOFF_SECONDS
    assert the_connection(events[0]).shipments_failures == 2
    assert [reload(e).attempts for e in events] == [1, 1, 0]
    assert all(reload(e).state == Event.WAITING for e in events)


def test_a_probe_going_through_ends_the_pause_and_the_drain_hands_out_every_waiting_event(events, backerkit_sim):
    backerkit_sim.state.down = True
    send_event(event_id=events[0].id)
    backerkit_sim.state.down = False
    due_now(events[0])
    conn = the_connection(events[0])

    after = probe(connection_id=conn.id)

    assert after.resume and after.connection_id == conn.id
    cleared = the_connection(events[0])
    assert (cleared.shipments_paused_until, cleared.shipments_pause_reason, cleared.shipments_failures) == (None, "", 0)
    token = start_drain(connection_id=conn.id)
    step = drain_step(connection_id=conn.id, token=token, after_id=0)
    assert step.event_ids == [events[1].id, events[2].id] and step.next_after is None
    assert drain_step(connection_id=conn.id, token="an older drain", after_id=0).event_ids == []
    for event_id in step.event_ids:
        send_event(event_id=event_id)
    assert {reload(e).state for e in events} == {Event.SENT}
    assert len(backerkit_sim.state.shipments.acknowledgements) == 3


def test_a_429_pauses_the_connection_until_retry_after(events, backerkit_sim):
    backerkit_sim.state.add_faults(status=429, retry_after=40)

    after = send_event(event_id=events[0].id)

    conn = the_connection(events[0])
    assert after.probe_in == 40 and conn.shipments_pause_reason == ShipmentPause.THROTTLED
    assert conn.shipments_paused_until > timezone.now() + timedelta(seconds=35)
    assert "429" in reload(events[0]).last_error and reload(events[0]).state == Event.WAITING
    send_event(event_id=events[1].id)  # not before Retry-After, for the whole connection
    assert len(writes(backerkit_sim)) == 1 and backerkit_sim.state.api_requests()[-1]["status"] == 429


def test_a_refused_key_on_a_write_refuses_the_connection_and_a_working_key_sends_what_waited(
    events, backerkit_sim, django_capture_on_commit_callbacks
):
    backerkit_sim.state.project("skyforge").api_key = "rotated-at-backerkit"

    send_event(event_id=events[0].id)
    send_event(event_id=events[1].id)

    conn = the_connection(events[0])
    assert conn.status == BackerKitConnection.Status.REFUSED
    assert "refused the API key (401)" in conn.stopped_reason and "shipments are not sent" in conn.stopped_reason
    assert [reload(e).state for e in events] == [Event.WAITING] * 3 and len(writes(backerkit_sim)) == 1
    assert conn.api_key not in conn.stopped_reason

    backerkit_sim.state.project("skyforge").api_key = KEY  # the key works again
    with django_capture_on_commit_callbacks(execute=False) as queued:
        checked = check_connection(shop_id=conn.shop_id, connection_id=conn.id)
    assert checked.resumed and len(queued) == 1  # the drain of what waited
    token = start_drain(connection_id=conn.id)
    for event_id in drain_step(connection_id=conn.id, token=token, after_id=0).event_ids:
        send_event(event_id=event_id)
    assert {reload(e).state for e in events} == {Event.SENT}


def test_an_order_backerkit_does_not_know_needs_attention_for_that_event_alone(events, backerkit_sim):
    backerkit_sim.state.project("skyforge").orders.pop("BK-1")

    send_event(event_id=events[0].id)
    send_event(event_id=events[1].id)

    assert reload(events[0]).state == Event.NEEDS_ATTENTION and "no order 'BK-1'" in reload(events[0]).last_error
    assert reload(events[1]).state == Event.SENT
    conn = the_connection(events[0])
    assert conn.status == BackerKitConnection.Status.ACTIVE and conn.shipments_paused_until is None


def test_a_refusal_needs_attention_with_backerkits_words_and_a_rep_can_resend(
    waiting, backerkit_sim, django_capture_on_commit_callbacks
):
    backerkit_sim.state.add_faults(status=422, body='{"error": "tracking[0].number: too long"}')

    send_event(event_id=waiting.id)
    event = reload(waiting)
    assert event.state == Event.NEEDS_ATTENTION and "tracking[0].number: too long" in event.last_error

    with django_capture_on_commit_callbacks() as queued:
        resend(shop_id=event.shop_id, event_id=event.id)
    assert len(queued) == 1
    send_event(event_id=event.id)
    assert reload(event).state == Event.SENT


def test_the_sweep_finds_a_lost_probe_and_events_whose_message_was_lost(events, backerkit_sim, settings):
    settings.SHIPMENT_SWEEP_AFTER_SECONDS = 20
    long_ago = timezone.now() - timedelta(minutes=5)
    ShipmentEvent.objects.filter(id__in=[e.id for e in events]).update(updated_at=long_ago)
    conn = the_connection(events[0])
    assert sweep().drains == [conn.id]  # their first messages were lost

    backerkit_sim.state.down = True
    send_event(event_id=events[0].id)
    ShipmentEvent.objects.filter(id__in=[e.id for e in events]).update(updated_at=long_ago)
    assert sweep().drains == [] and sweep().probes == []  # paused: the probe's own message comes back

    BackerKitConnection.objects.filter(id=conn.id).update(shipments_paused_until=long_ago)
    assert sweep().probes == [conn.id]  # the probe's message was lost (or its worker died)


def test_a_pull_that_goes_through_brings_the_probe_of_a_paused_connection_forward(events, backerkit_sim):
    backerkit_sim.state.down = True
    send_event(event_id=events[0].id)
    backerkit_sim.state.down = False
    conn = the_connection(events[0])
    assert conn.shipments_paused_until > timezone.now()

    pull(connection_id=conn.id, start_push=False)

    assert the_connection(events[0]).shipments_paused_until <= timezone.now()
    assert probe(connection_id=conn.id).resume  # the probe goes now, and goes through
