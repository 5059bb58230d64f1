"""Reads of the changes that follow a push: each order's sync state, the counts the preview shows,
and an order's history."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Case, IntegerField, Q, Value, When

from integrations.orders.models import OrderChange, PushRecord
from integrations.orders.selectors.paging import PagedRows, PageWindow

ChangeState = OrderChange.State

# The sync state of a pushed order, from its latest change (push_report --json: "sync_state").
IN_STEP = "in_step"
CHANGE_PENDING = "change_pending"
WAITING_FOR_APPROVAL = "waiting_for_approval"
CHANGE_APPLIED = "change_applied"
NEEDS_ATTENTION = "needs_attention"
CONFLICT = "conflict"
NOT_PUSHED = ""

_STATE_OF_CHANGE = {
    ChangeState.PENDING: CHANGE_PENDING,
    ChangeState.APPLYING: CHANGE_PENDING,
    ChangeState.AWAITING_APPROVAL: WAITING_FOR_APPROVAL,
    ChangeState.APPLIED: CHANGE_APPLIED,
    ChangeState.NEEDS_ATTENTION: NEEDS_ATTENTION,
    ChangeState.CONFLICT: CONFLICT,
    ChangeState.DISMISSED: IN_STEP,
}


def latest_changes(*, record_ids: list[int]) -> dict[int, OrderChange]:
    """Each record's latest change that counts (not superseded), by record id."""
    latest: dict[int, OrderChange] = {}
    rows = (
        OrderChange.objects.filter(record_id__in=record_ids)
        .exclude(state=ChangeState.SUPERSEDED)
        .only("id", "record_id", "version", "state", "reason", "kinds", "fields", "applied_at", "created_at")
        .order_by("record_id", "-version")
    )
    for change in rows:
        latest.setdefault(change.record_id, change)
    return latest


def sync_state(*, record_state: str, change: OrderChange | None) -> tuple[str, str]:
    """(sync state, reason) of one order."""
    if record_state != PushRecord.State.PUSHED:
        return NOT_PUSHED, ""
    if change is None:
        return IN_STEP, ""
    state = _STATE_OF_CHANGE[change.state]
    return state, change.reason if state in (NEEDS_ATTENTION, CONFLICT) else ""


@dataclass
class PendingChanges:
    """What the preview says of the changes waiting: by kind, and how many cannot be applied."""

    by_kind: Counter = field(default_factory=Counter)
    waiting_for_approval: int = 0
    pending: int = 0
    cannot_apply: int = 0
    conflicts: int = 0
    reasons: Counter = field(default_factory=Counter)

    @property
    def total(self) -> int:
        return self.pending + self.waiting_for_approval + self.cannot_apply + self.conflicts


def pending_changes(*, shop_id: int) -> PendingChanges:
    summary = PendingChanges()
    rows = OrderChange.objects.filter(shop_id=shop_id, state__in=OrderChange.OPEN_STATES).values_list(
        "state", "kinds", "reason"
    )
    for state, kinds, reason in rows.iterator(chunk_size=2000):
        for kind in kinds:
            summary.by_kind[kind] += 1
        if state == ChangeState.AWAITING_APPROVAL:
            summary.waiting_for_approval += 1
        elif state == ChangeState.NEEDS_ATTENTION:
            summary.cannot_apply += 1
            summary.reasons[_cause(reason)] += 1
        elif state == ChangeState.CONFLICT:
            summary.conflicts += 1
        else:
            summary.pending += 1
    return summary


def _cause(reason: str) -> str:
    if "warehouse" in reason:
        return "already with the warehouse"
    if "canceled in Shopify" in reason:
        return "canceled in Shopify"
    return "other"


# What asks for the merchant comes first on the preview.
_ASKING = (ChangeState.AWAITING_APPROVAL, ChangeState.NEEDS_ATTENTION, ChangeState.CONFLICT)


CHANGES_PAGE_SIZE = 50


@dataclass(frozen=True)
class ChangesPage(PagedRows):
    rows: list[OrderChange]
    window: PageWindow


def open_changes(
    *, shop_id: int, page: int = 1, per_page: int = CHANGES_PAGE_SIZE, total: int | None = None
) -> ChangesPage:
    """One page of the open changes to review, those asking for the merchant first (then oldest
    first, so a page's rows stay put while the merchant pages). ``total`` (``pending_changes``,
    already on the page) spares the COUNT."""
    changes = OrderChange.objects.filter(shop_id=shop_id, state__in=OrderChange.OPEN_STATES)
    window = PageWindow.clamp(page=page, total=changes.count() if total is None else total, per_page=per_page)
    rows = list(
        changes.select_related("record")
        .defer("order_data", "record__order_data", "record__sent_input")
        .annotate(asks=Case(When(state__in=_ASKING, then=Value(0)), default=Value(1), output_field=IntegerField()))
        .order_by("asks", "id")[window.offset : window.offset + per_page]
    )
    return ChangesPage(rows=rows, window=window)


@dataclass(frozen=True)
class HistoryEntry:
    when: datetime
    what: str  # "pushed" | "change"
    change: OrderChange | None = None
    attempts: tuple[Any, ...] = ()


def history(*, record: PushRecord) -> list[HistoryEntry]:
    """The order's life after BackerKit: pushed, then each change (newest first)."""
    entries = [
        HistoryEntry(
            when=change.created_at, what="change", change=change, attempts=tuple(change.change_attempts.all())
        )  # fmt: skip
        for change in record.changes.order_by("-version").prefetch_related("change_attempts")
    ]
    if record.pushed_at:
        entries.append(HistoryEntry(when=record.pushed_at, what="pushed"))
    return entries


def changes_of_run(*, run_id: int):
    return OrderChange.objects.filter(import_run_id=run_id)


def unsettled(*, run_id: int) -> int:
    return changes_of_run(run_id=run_id).filter(~Q(state__in=OrderChange.SETTLED_STATES)).count()
