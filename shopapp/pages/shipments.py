"""What an order's page says of its fulfilments and of BackerKit hearing about them (the domain
hands codes and times: integrations/orders/selectors/shipments.py; the words are here)."""

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from integrations.orders.models import ShipmentEvent
from integrations.orders.selectors.shipments import FulfilmentLine, OutboxPause

EventState = ShipmentEvent.State

SHIPMENT_FILTERS = [
    ("", "Any shipment"),
    ("shipped", "Shipped"),
    ("not_shipped", "Not shipped"),
    ("not_sent", "Shipment not delivered to BackerKit"),
]
DELIVERY = {
    "label_printed": "Label printed",
    "label_purchased": "Label purchased",
    "confirmed": "Confirmed by the carrier",
    "in_transit": "In transit",
    "out_for_delivery": "Out for delivery",
    "attempted_delivery": "Delivery attempted",
    "ready_for_pickup": "Ready for pickup",
    "picked_up": "Picked up",
    "delivered": "Delivered",
    "failure": "Delivery failed",
}


@dataclass(frozen=True)
class ShownTracking:
    number: str
    company: str
    url: str  # "" when Shopify gave none, or one that is not a web link


@dataclass(frozen=True)
class ShownFulfilment:
    title: str
    cancelled: bool
    tracking: list[ShownTracking]
    items: str
    shipped_at: str  # "Shipped Dec 1, 2026 09:00 UTC", or ""
    delivery: str
    backerkit: str  # "Sent to BackerKit at ..." or why not yet
    sent: bool
    problem: bool


def _web_link(url: str | None) -> str:
    """Only http(s) links are links: a ``javascript:`` URL from a carrier app must not become one."""
    return url if isinstance(url, str) and url.lower().startswith(("https://", "http://")) else ""


def pause_words(pause: OutboxPause) -> str:
    """Why a connection's shipments wait, in the merchant's terms (the order page, the console)."""
    n = pause.waiting
    waiting = f"{n} shipment waits and is" if n == 1 else f"{n} shipments wait and are"
    if pause.reason == "refused":
        return (
            f"BackerKit refused the API key of {pause.store_name}; {waiting} sent once a valid key is entered "
            "(Settings, BackerKit connections)."
        )
    since = f"{pause.since:%H:%M} UTC" if pause.since else "a moment ago"
    if pause.reason == "throttled":
        until = f"{pause.until:%H:%M:%S} UTC" if pause.until else "shortly"
        return f"BackerKit asked us to slow down at {since}; {waiting} sent from {until}."
    return f"BackerKit is not answering since {since}; {waiting} sent when it answers."


# The outbox words a retry "...: trying again in 9 s." at the moment it failed; read minutes or
# days later, that countdown is false, so the page keeps the cause and says what happens next.
_COUNTDOWN = re.compile(r":\s*trying again in \d+ s\.?$")


def _without_countdown(error: str) -> str:
    return _COUNTDOWN.sub(". It is sent again automatically.", error.strip())


def shipped_on(value: str | None) -> str:
    """Shopify's RFC 3339 time as the order page writes times ("Dec 1, 2026 09:00 UTC"); a value
    that is not one is shown as it came rather than hidden."""
    if not value:
        return ""
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value
    when = when.astimezone(UTC) if when.tzinfo else when.replace(tzinfo=UTC)
    return f"Shipped {when:%b} {when.day}, {when:%Y %H:%M} UTC"


def backerkit_status(line: FulfilmentLine) -> str:
    if line.state == EventState.SENT and line.sent_at:
        return f"Sent to BackerKit at {line.sent_at:%b %-d, %H:%M:%S} UTC"
    if line.state == EventState.FOR_FILE:
        return "This connection imports files: the shipment is in the shipments file (Orders, Download shipments)."
    if line.state == EventState.NEEDS_ATTENTION:
        return f"Not sent to BackerKit: {line.last_error or 'it needs attention'} Our support team can resend it."
    if line.state == EventState.SUPERSEDED:
        return "Replaced by a newer version before it was sent."
    if line.pause is not None:
        return f"Not sent yet: {pause_words(line.pause)}"
    if line.last_error:
        return f"Not sent yet: {_without_countdown(line.last_error)}"
    return "Being sent to BackerKit (within a minute)."


def shown(lines: list[FulfilmentLine]) -> list[ShownFulfilment]:
    result = []
    for number, line in enumerate(lines, start=1):
        cancellation = line.kind == ShipmentEvent.Kind.CANCELLATION
        result.append(
            ShownFulfilment(
                title="Order cancelled in Shopify" if cancellation else f"Shipment {number}",
                cancelled=cancellation or line.status == "cancelled",
                tracking=[
                    ShownTracking(
                        number=t.get("number") or "", company=t.get("company") or "", url=_web_link(t.get("url"))
                    )  # fmt: skip
                    for t in line.tracking
                ],
                items=", ".join(f"{i.get('sku') or 'no SKU'} × {i.get('quantity')}" for i in line.line_items),
                shipped_at=shipped_on(line.shipped_at),
                delivery=DELIVERY.get(line.delivery_status or "", (line.delivery_status or "").replace("_", " ")),
                backerkit=backerkit_status(line),
                sent=line.state == EventState.SENT,
                problem=line.state == EventState.NEEDS_ATTENTION,
            )
        )
    return result
