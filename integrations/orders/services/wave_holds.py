"""Holding a wave's orders in Shopify right after ``orderCreate``, exactly once.

When the shop pushes orders held and a record's wave is not released (for its country), the lane
gives the push a ``Holder``. Once Shopify has the order (created, or found by lookup after a lost
answer) the record keeps its Shopify ids but is not final yet: its fulfilment orders are read, each
one without the wave's hold gets it (handle ``bk-wave-<id>``: Shopify refuses a second hold with
the same handle, DUPLICATE_FULFILLMENT_HOLD_HANDLE, so a resend never doubles it), they are read back,
and only then is the record pushed. A throttled, failed or unanswered hold puts the record back to
pending with its Shopify ids: the next try reads the fulfilment orders first (an unanswered hold is
found there) and never creates the order again. A hold Shopify refuses (the warehouse accepted the
order already) makes the record need attention, with the reason, its Shopify order kept.
A wave released while its order was being held: the member is marked to release, so the release
finds it (no hold is left behind).
An order with items of several SKU waves is held line by line: each earlier wave's lines with that
wave's hold (``fulfillmentOrderLineItems``: Shopify splits them off into their own fulfilment order),
then the order's own wave holds the rest; releasing a wave frees only its part. Where Shopify refuses
the partial hold (FULFILLMENT_ORDER_NOT_SPLITTABLE: the fulfilment order is held already), that
wave's lines follow the order's own wave, whole (its member is dropped, ``also_in`` says so).
"""

import logging
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from integrations.orders.models import PushAttempt, PushRecord, Wave, WaveMember, WaveSettings
from integrations.orders.services import claims
from integrations.orders.services.claims import OutcomeWriter, after
from integrations.orders.wave_documents import HOLD, ORDER_HOLDS
from integrations.shopify.client import AdminClient
from integrations.shopify.errors import ShopifyInvalid, ShopifyThrottled, ShopifyTransient
from integrations.shopify.rate_limit import CostBucket
from integrations.shops.models import Shop
from integrations.shops.tokens.scopes import missing_scopes

logger = logging.getLogger(__name__)

Hold = WaveMember.Hold
Outcome = PushAttempt.Outcome
HOLD_SCOPES = ("write_merchant_managed_fulfillment_orders",)
READ_COST = 15.0
HOLD_COST = 10.0
# Fulfilment orders that can take a hold (merchant-managed: open, partly fulfilled, scheduled, held).
HOLDABLE = ("OPEN", "IN_PROGRESS", "SCHEDULED", "ON_HOLD")
# Shopify may create the fulfilment orders a moment after the order (docs/shopify-facts.md).
FULFILLMENT_ORDERS_WAIT_SECONDS = 5.0


def plan(*, shop: Shop, record_ids: list[int]) -> dict[int, list[WaveMember]]:
    """The records of this batch to push held, each with the members (waves) to hold it for: those
    of a wave not released for their country (none while the shop has not granted the hold scope:
    setting the option asks for it first); an order split by wave lists its earlier waves first.
    A hold already under way (the order created, its hold maybe placed) is always finished, even if
    the option was switched off or the wave released meanwhile: the release then takes it back."""
    if missing_scopes(shop.scopes, needed=HOLD_SCOPES):
        return {}
    held = WaveSettings.objects.filter(shop_id=shop.id, push_orders_held=True).exists()
    members = WaveMember.objects.filter(record_id__in=record_ids).select_related("wave").order_by("id")
    under_way = (Hold.TO_HOLD, Hold.NEEDS_ATTENTION)
    planned: dict[int, list[WaveMember]] = {}
    for m in members:
        if m.hold_state in under_way or (held and m.hold_state == Hold.NOT_HELD and not m.wave.released_for(m.country)):
            planned.setdefault(m.record_id, []).append(m)
    for found in planned.values():
        found.sort(key=lambda m: (not m.skus, m.id))  # the order's own wave (the rest) last
    return planned


def reason_notes(wave: Wave) -> str:
    when = f", ships from {wave.ship_date.isoformat()}" if wave.ship_date else ""
    return f"BackerKit wave {wave.name}{when}: released by the BackerKit app when the wave ships."


@dataclass
class Holder:
    client: AdminClient
    bucket: CostBucket
    token: str
    members: dict[int, WaveMember]

    def wants(self, record_id: int) -> bool:
        return record_id in self.members

    def created(self, *, record: PushRecord, order: dict[str, Any], kind: str, outcome: OutcomeWriter,
                detail: str = "") -> None:  # fmt: skip
        """Shopify has the order: record its ids (not final), then hold it."""
        if not claims.mark_created(record=record, token=self.token, order=order):
            return  # another lane owns the record now; it resumes from the stored ids
        members = self.members[record.id]
        ids = [m.id for m in members]
        WaveMember.objects.filter(id__in=ids, hold_state=Hold.NOT_HELD).update(hold_state=Hold.TO_HOLD)
        self._hold(record=record, order=order, members=members, kind=kind, outcome=outcome, detail=detail)

    def _hold(self, *, record, order, members: list[WaveMember], kind: str, outcome: OutcomeWriter,
              detail: str) -> None:  # fmt: skip
        """Each member holds its lines (an earlier SKU wave: its SKUs, split off with a partial hold;
        the order's own wave: the rest), in fulfilment orders none of the order's waves holds yet."""
        names = ", ".join(m.wave.name for m in members)
        every = list(WaveMember.objects.filter(record_id=record.id).select_related("wave"))
        handles = {m.wave.handle for m in every}
        try:
            fulfillment_orders = self._read(order["id"])
            if not fulfillment_orders:
                outcome.retry_later(Outcome.TRANSIENT, "Shopify has not created the order's fulfilment orders yet.",
                                    until=after(FULFILLMENT_ORDERS_WAIT_SECONDS), uncounted=True)  # fmt: skip
                return
            refused, followed = [], []
            for member in members:
                if any(_ours(fo, member.wave) is not None for fo in fulfillment_orders):
                    continue  # held already (a resend after a lost answer): read back below
                # The order's own wave holds what no other of its waves (held, or released) holds.
                mine = set(member.skus)
                theirs = {s for m in every if m.id != member.id and m.skus and m.wave.name not in followed
                          for s in m.skus}  # fmt: skip
                for fo in fulfillment_orders:
                    if fo["status"] not in HOLDABLE or any(_ours(fo, h) for h in handles):
                        continue
                    open_lines = [li for li in _lines(fo) if li.get("remainingQuantity")]
                    lines = [li for li in open_lines if _wanted(li.get("sku"), mine, theirs)]
                    if not lines:
                        continue
                    if fo["requestStatus"] in ("SUBMITTED", "ACCEPTED"):
                        refused.append("the fulfilment service already accepted it")
                        continue
                    whole = len(lines) == len(open_lines)
                    errors = self._place(fo=fo, member=member, lines=None if whole else lines)
                    if member.skus and any(code == "FULFILLMENT_ORDER_NOT_SPLITTABLE" for code, _ in errors):
                        followed.append(member.wave.name)  # its lines follow the order's own wave, whole
                        break
                    if not member.skus and any(code == "FULFILLMENT_ORDER_NOT_SPLITTABLE" for code, _ in errors):
                        errors = self._place(fo=fo, member=member, lines=None)  # hold it whole
                    refused += [message for _, message in errors]
                fulfillment_orders = self._read(order["id"])
            if refused:
                for member in members:
                    self._needs_attention(record=record, member=member, outcome=None, reason="; ".join(refused))
                self._needs_attention(record=record, member=members[-1], outcome=outcome, reason="; ".join(refused))
                return
        except ShopifyThrottled as exc:
            self.bucket.drain(exc.retry_after)
            outcome.retry_later(Outcome.THROTTLED, until=after(exc.retry_after), uncounted=True)
            return
        except ShopifyTransient as exc:
            kind_of = Outcome.AMBIGUOUS if exc.ambiguous else Outcome.TRANSIENT
            outcome.retry_later(kind_of, f"Holding for wave {names}: {exc.message}",
                                until=after(min(2 ** record.attempts, 60)))  # fmt: skip
            return
        except ShopifyInvalid as exc:
            for member in members:
                self._needs_attention(record=record, member=member, outcome=None, reason=exc.message)
            self._needs_attention(record=record, member=members[-1], outcome=outcome, reason=exc.message)
            return
        if followed:
            own = members[-1]
            WaveMember.objects.filter(record_id=record.id, wave__name__in=followed).exclude(id=own.id).delete()
            WaveMember.objects.filter(id=own.id).update(also_in=sorted(set(own.also_in or []) | set(followed)))
            members = [m for m in members if m.wave.name not in followed]
        held = {m.id: [fo for fo in fulfillment_orders if _ours(fo, m.wave) is not None] for m in members}
        if not all(held.values()):
            outcome.retry_later(Outcome.TRANSIENT, f"The hold for wave {names} is not visible yet.",
                                until=after(FULFILLMENT_ORDERS_WAIT_SECONDS))  # fmt: skip
            return
        now = timezone.now()
        for member in members:
            wave = member.wave
            WaveMember.objects.filter(id=member.id).update(
                hold_state=Hold.HELD, held_at=now, hold_sent_at=None, last_error="",
                fulfillment_order_ids=[fo["id"] for fo in held[member.id]],
                hold_ids=[_ours(fo, wave)["id"] for fo in held[member.id]],
            )  # fmt: skip
            # Released meanwhile (the release did not see this member yet): the release lane takes it.
            if Wave.objects.get(id=wave.id).released_for(member.country):
                WaveMember.objects.filter(id=member.id, hold_state=Hold.HELD).update(hold_state=Hold.TO_RELEASE)
        parts = sum(len(found) for found in held.values())
        note = f"Held in Shopify for wave {names} ({parts} fulfilment order(s))."
        outcome.pushed(order=order, outcome=kind, detail=f"{detail} {note}".strip())

    def _read(self, order_id: str) -> list[dict[str, Any]]:
        self.bucket.wait_and_take(READ_COST, max_wait=20.0)
        response = self.client.execute(ORDER_HOLDS, {"id": order_id})
        self.bucket.observe(response.cost, taken=READ_COST)
        node = response.data.get("order") or {}
        return list((node.get("fulfillmentOrders") or {}).get("nodes") or [])

    def _place(self, *, fo: dict[str, Any], member: WaveMember, lines: list[dict] | None) -> list[tuple[str, str]]:
        """Hold one fulfilment order (``lines``: only those, split off); (code, message) of what
        Shopify refused (none: held, or held already)."""
        wave = member.wave
        WaveMember.objects.filter(id=member.id).update(hold_sent_at=timezone.now())
        self.bucket.wait_and_take(HOLD_COST, max_wait=20.0)
        spec = {"reason": "OTHER", "reasonNotes": reason_notes(wave), "handle": wave.handle,
                "externalId": f"wave-{wave.id}", "notifyMerchant": False}  # fmt: skip
        if lines is not None:
            spec["fulfillmentOrderLineItems"] = [{"id": li["id"], "quantity": li["remainingQuantity"]} for li in lines]
        response = self.client.execute(HOLD, {"id": fo["id"], "hold": spec})
        self.bucket.observe(response.cost, taken=HOLD_COST)
        errors = (response.data.get("fulfillmentOrderHold") or {}).get("userErrors") or []
        return [(e.get("code") or "", e.get("message", "refused")) for e in errors
                if e.get("code") != "DUPLICATE_FULFILLMENT_HOLD_HANDLE"]  # fmt: skip

    def _needs_attention(self, *, record, member: WaveMember, outcome: OutcomeWriter | None, reason: str) -> None:
        text = (f"Created in Shopify as {record.shopify_order_name or 'an order'} but not held for wave "
                f"{member.wave.name}: {reason}. The warehouse may ship it before the wave.")  # fmt: skip
        WaveMember.objects.filter(id=member.id).update(hold_state=Hold.NEEDS_ATTENTION, last_error=text[:2000])
        if outcome is None:
            return
        outcome.needs_attention(Outcome.USER_ERRORS, text)
        logger.warning("waves.hold_refused", extra={"record_id": record.id, "wave_id": member.wave_id})


def _ours(fo: dict[str, Any], wave: Wave | str) -> dict[str, Any] | None:
    handle = wave if isinstance(wave, str) else wave.handle
    return next((h for h in fo.get("fulfillmentHolds") or [] if h.get("handle") == handle), None)


def _wanted(sku: str | None, mine: set[str], theirs: set[str]) -> bool:
    """A line an earlier SKU wave holds (``mine``: its SKUs), or one the order's own wave holds."""
    return sku in mine if mine else sku not in theirs


def _lines(fo: dict[str, Any]) -> list[dict[str, Any]]:
    return list((fo.get("lineItems") or {}).get("nodes") or [])
