"""Claiming records for a lane, and writing outcomes back, so that no order is sent twice.

A lane claims pending records with ``SELECT ... FOR UPDATE SKIP LOCKED`` and stamps them with its
claim token. Before each send it re-checks the token in the same UPDATE that stamps
``last_sent_at``; a record the sweeper took back in the meantime is therefore never sent by two
lanes. An order Shopify created is recorded as pushed whoever holds the claim: that write is
always safe.

``OutcomeWriter`` is what the push writes through: one per try at one record, bound to the record,
the lane's claim token and when the try started, so each outcome reads as what it means
(``failed``, ``needs_attention``, ``retry_later``, ``hand_back``, ``pushed``).

A lane writes its pushed outcomes behind (``WriteBehind``): an order Shopify created is recorded
with the lane's next stamp, in the same statement (statements.pushed_then_stamp), so a pushed order
costs one statement, not two. Any other write of the lane writes it first, and so does the end of
the batch, whatever ends it. Until it is written the record is what it was during the send:
pushing, its send stamped. A lane that dies meanwhile leaves exactly that, which the next lane
resolves by looking the order up (``source_identifier``), never by sending it again.
"""

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from integrations.orders.models import PushRecord
from integrations.orders.services.statements import claim_rows, pushed_then_stamp, update_record, update_with_attempt

State = PushRecord.State


def new_claim_token() -> str:
    return secrets.token_hex(8)


def claim_batch(*, shop_id: int, limit: int, token: str) -> list[PushRecord]:
    now = timezone.now()
    claimed = claim_rows(shop_id=shop_id, limit=limit, token=token, now=now)
    if claimed is not None:
        return claimed
    with transaction.atomic():
        ids = list(
            PushRecord.objects.select_for_update(skip_locked=True)
            .filter(shop_id=shop_id, state=State.PENDING)
            .filter(Q(not_before__isnull=True) | Q(not_before__lte=now))
            .order_by("id")
            .values_list("id", flat=True)[:limit]
        )
        if ids:
            PushRecord.objects.filter(id__in=ids).update(
                state=State.PUSHING, claimed_at=now, claim_token=token, attempts=F("attempts") + 1
            )
    return list(PushRecord.objects.filter(id__in=ids).select_related("connection").order_by("id"))


def mark_sending(
    *, record: PushRecord, token: str, sent_input: dict, extra: dict | None = None, after: "WriteBehind | None" = None
) -> bool:
    """Stamp the send (with ``extra`` fields, e.g. the money it expects); False when this lane no
    longer holds the record (then it must not send). ``after``: the lane's pushed outcome kept for
    this stamp is written in the same statement, first (whether the stamp matches or not)."""
    now = timezone.now()
    fields = {**(extra or {}), "last_sent_at": now, "claimed_at": now, "sent_input": sent_input}
    only_if = {"state": State.PUSHING, "claim_token": token}
    kept = after.take() if after is not None else None
    if kept is None:
        updated = update_record(record_id=record.id, fields=fields, only_if=only_if)
    else:
        try:
            updated = pushed_then_stamp(pushed=kept.statement(), stamp=(record.id, fields, only_if))
        except BaseException:
            # Not written (or, the connection lost after the commit, written: then writing it again
            # changes nothing but its attempt, recorded twice): the next flush writes it alone.
            after.keep(kept)
            raise
    record.last_sent_at = now
    return updated == 1


def mark_created(*, record: PushRecord, token: str, order: dict) -> bool:
    """Shopify has the order, but the record is not final yet (its wave's hold comes first): keep
    its Shopify ids so no later try creates it again; False when this lane no longer holds it."""
    fields = {
        "shopify_order_id": order["id"],
        "shopify_order_name": order.get("name") or "",
        "financial_status": order.get("displayFinancialStatus") or "",
        "last_sent_at": None,
        "claimed_at": timezone.now(),
    }
    updated = update_record(record_id=record.id, fields=fields, only_if={"state": State.PUSHING, "claim_token": token})
    if updated:
        record.shopify_order_id, record.shopify_order_name = fields["shopify_order_id"], fields["shopify_order_name"]
        record.last_sent_at = None
    return updated == 1


@dataclass(frozen=True)
class Pushed:
    """A pushed outcome, ready to write: the record's fields and its attempt."""

    record_id: int
    fields: dict
    attempt: tuple[str, str, datetime]

    def statement(self) -> tuple[int, dict, str, tuple[str, str, datetime]]:
        return self.record_id, self.fields, State.PUSHED, self.attempt

    def write(self) -> None:
        update_with_attempt(record_id=self.record_id, fields=self.fields, unless_state=State.PUSHED,
                            attempt=self.attempt, attempt_always=True)  # fmt: skip


class WriteBehind:
    """A lane's pushed outcome not written yet (at most one): the next stamp takes it into its own
    statement (``mark_sending(after=...)``); anything else writes it first (``flush``)."""

    def __init__(self) -> None:
        self._kept: Pushed | None = None

    def keep(self, pushed: Pushed) -> None:
        self.flush()
        self._kept = pushed

    def take(self) -> Pushed | None:
        kept, self._kept = self._kept, None
        return kept

    def flush(self) -> None:
        kept = self.take()
        if kept is not None:
            kept.write()


def mark_pushed(
    *,
    record: PushRecord,
    shopify_order_id: str,
    shopify_order_name: str,
    financial_status: str,
    outcome: str,
    started_at: datetime,
    detail: str = "",
    behind: WriteBehind | None = None,
) -> None:
    """Shopify has the order: pushed, with its attempt (whoever holds the claim). ``behind``: kept
    there for the lane's next stamp instead of written now."""
    fields = {
        "state": State.PUSHED,
        "shopify_order_id": shopify_order_id,
        "shopify_order_name": shopify_order_name,
        "financial_status": financial_status,
        "last_error": "",
        "last_sent_at": None,
        "not_before": None,
        "claim_token": "",
        "pushed_at": timezone.now(),
    }
    pushed = Pushed(record_id=record.id, fields=fields, attempt=(outcome, detail, started_at))
    if behind is None:
        pushed.write()
    else:
        behind.keep(pushed)


def finish(
    *,
    record: PushRecord,
    token: str,
    state: str,
    outcome: str,
    started_at: datetime,
    error: str = "",
    not_before: datetime | None = None,
    clear_sent: bool = True,
    extra: dict | None = None,
) -> bool:
    """Write a non-success outcome, if this lane still holds the record."""
    fields = {"state": state, "last_error": error, "not_before": not_before, "claim_token": "", **(extra or {})}
    if clear_sent:
        fields["last_sent_at"] = None
    updated = update_with_attempt(record_id=record.id, fields=fields,
                                  only_if={"state": State.PUSHING, "claim_token": token},
                                  attempt=(outcome, error, started_at))  # fmt: skip
    return updated == 1


def release(
    *, record_ids: list[int], token: str, state: str = State.PENDING, not_before: datetime | None = None
) -> int:
    """Hand claimed-but-untouched records back (lane stopping early); nothing was sent for them."""
    return PushRecord.objects.filter(id__in=record_ids, state=State.PUSHING, claim_token=token).update(
        state=state, claim_token="", not_before=not_before, attempts=F("attempts") - 1
    )


def pause_pending(*, shop_id: int) -> int:
    """The shop's waiting records wait as paused (not failed, not lost) until it is resumed."""
    return PushRecord.objects.filter(shop_id=shop_id, state=State.PENDING).update(state=State.PAUSED)


def after(wait: timedelta | float) -> datetime:
    """The moment ``wait`` (seconds or a timedelta) from now: a record's ``not_before``."""
    return timezone.now() + (wait if isinstance(wait, timedelta) else timedelta(seconds=wait))


@dataclass(frozen=True)
class OutcomeWriter:
    """Writes the outcome of one try at one record, if the lane still holds its claim (``pushed``
    is written whoever holds it: Shopify has the order). Each returns whether it was written."""

    record: PushRecord
    token: str
    started_at: datetime
    # The lane's pushed outcome kept for its next stamp: written before any other outcome here, and
    # this record's own pushed outcome is kept there in turn. None: every outcome is written at once.
    behind: WriteBehind | None = None

    def pushed(self, *, order: dict, outcome: str, detail: str = "") -> None:
        mark_pushed(record=self.record, shopify_order_id=order["id"], shopify_order_name=order["name"],
                    financial_status=order.get("displayFinancialStatus") or "", outcome=outcome,
                    started_at=self.started_at, detail=detail, behind=self.behind)  # fmt: skip

    def failed(self, outcome: str, error: str, *, keep_sent: bool = False) -> bool:
        """Final until someone retries it. ``keep_sent``: a send may have reached Shopify, so a
        retry looks the order up before sending again."""
        return self._finish(State.FAILED, outcome, error, clear_sent=not keep_sent)

    def needs_attention(self, outcome: str, error: str) -> bool:
        return self._finish(State.NEEDS_ATTENTION, outcome, error)

    def retry_later(
        self, outcome: str, error: str = "", *, until: datetime | None = None, keep_sent: bool = False,
        uncounted: bool = False,
    ) -> bool:  # fmt: skip
        """Back to pending, not before ``until``. ``uncounted``: Shopify refused the call itself
        (throttled, token refused), so the try does not count towards the attempts."""
        extra = {"attempts": self.record.attempts - 1} if uncounted else None
        return self._finish(State.PENDING, outcome, error, not_before=until, clear_sent=not keep_sent, extra=extra)

    def hand_back(self, *, until: datetime | None = None) -> int:
        """Nothing happened to the record: pending again, no attempt recorded, none counted."""
        self.flush()
        return release(record_ids=[self.record.id], token=self.token, not_before=until)

    def flush(self) -> None:
        """Write the lane's pushed outcome kept behind, if any."""
        if self.behind is not None:
            self.behind.flush()

    def _finish(self, state: str, outcome: str, error: str, **fields) -> bool:
        self.flush()
        return finish(record=self.record, token=self.token, state=state, outcome=outcome,
                      started_at=self.started_at, error=error, **fields)  # fmt: skip


def recover_abandoned(*, lease_seconds: int) -> int:
    """Records whose lane died (worker killed, machine lost) go back to pending. Their
    ``last_sent_at`` stays: the next lane looks the order up in Shopify before any resend."""
    cutoff = timezone.now() - timedelta(seconds=lease_seconds)
    # A bulk operation's claims (``bulk:<id>``) last as long as it runs: the bulk follower takes
    # them back itself (services/bulk_follow.py).
    return (
        PushRecord.objects.filter(state=State.PUSHING, claimed_at__lt=cutoff)
        .exclude(claim_token__startswith="bulk:")  # noqa: S106 - a prefix, not a secret
        .update(state=State.PENDING, claim_token="")
    )
