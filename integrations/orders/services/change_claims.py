"""Claiming OrderChanges for a change lane and writing their outcomes, so no change is applied twice.

Like the push's claims (services/claims.py): a lane claims pending changes with ``SELECT ... FOR
UPDATE SKIP LOCKED`` and stamps them with its token; each write to Shopify is stamped first
(``last_sent_at``) under that token, so a change the sweeper took back is never sent by two lanes;
a change found applied in Shopify is recorded as applied whoever holds it. A change is claimed only
while its order is pushed and no other change of the same order is being applied (one at a time,
in version order).
"""

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from integrations.orders.models import ChangeAttempt, OrderChange, PushRecord

ChangeState = OrderChange.State


def claim_changes(*, shop_id: int, limit: int, token: str) -> list[OrderChange]:
    now = timezone.now()
    busy = OrderChange.objects.filter(record_id=OuterRef("record_id"), state=ChangeState.APPLYING)
    with transaction.atomic():
        ids = list(
            OrderChange.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(shop_id=shop_id, state=ChangeState.PENDING, record__state=PushRecord.State.PUSHED)
            .filter(Q(not_before__isnull=True) | Q(not_before__lte=now))
            .exclude(Exists(busy))
            .order_by("id")
            .values_list("id", flat=True)[:limit]
        )
        if ids:
            OrderChange.objects.filter(id__in=ids, state=ChangeState.PENDING).update(
                state=ChangeState.APPLYING, claimed_at=now, claim_token=token, attempts=F("attempts") + 1
            )
    return list(
        OrderChange.objects.filter(id__in=ids, claim_token=token)
        .select_related("record", "record__connection", "shop")
        .order_by("id")
    )


def mark_sending(*, change: OrderChange, token: str, step: str) -> bool:
    """Stamp a write about to be sent; False when this lane no longer holds the change."""
    now = timezone.now()
    updated = OrderChange.objects.filter(id=change.id, state=ChangeState.APPLYING, claim_token=token).update(
        last_sent_at=now, claimed_at=now
    )
    change.last_sent_at = now
    return updated == 1


def step_done(*, change: OrderChange, token: str, step: str) -> None:
    """One step of the change (a kind) is in Shopify: a retry does not send it again."""
    if step not in change.steps_done:
        change.steps_done = [*change.steps_done, step]
    OrderChange.objects.filter(id=change.id, claim_token=token).update(steps_done=change.steps_done,
                                                                      last_sent_at=None)  # fmt: skip
    change.last_sent_at = None


def finish(
    *,
    change: OrderChange,
    token: str,
    state: str,
    outcome: str,
    started_at: datetime,
    reason: str = "",
    not_before: datetime | None = None,
    keep_sent: bool = False,
    uncounted: bool = False,
    extra: dict | None = None,
) -> bool:
    """Write an outcome other than applied, if this lane still holds the change."""
    fields = {"state": state, "reason": reason, "not_before": not_before, "claim_token": "", **(extra or {})}
    if not keep_sent:
        fields["last_sent_at"] = None
    if uncounted:
        fields["attempts"] = F("attempts") - 1
    if state in (ChangeState.NEEDS_ATTENTION, ChangeState.CONFLICT):
        fields["resolved_at"] = None
    with transaction.atomic():
        updated = OrderChange.objects.filter(id=change.id, state=ChangeState.APPLYING, claim_token=token).update(
            **fields
        )
        if updated:
            ChangeAttempt.objects.create(change_id=change.id, outcome=outcome, detail=reason, started_at=started_at)
    return updated == 1


def applied(*, change: OrderChange, outcome: str, started_at: datetime, record_fields: dict, detail: str = "") -> None:
    """The change is in Shopify: the change is applied and the record's synced version is the change's.
    Written whoever holds the claim (Shopify has it), but never over a change dismissed meanwhile (its
    personal data erased, say) nor twice."""
    now = timezone.now()
    with transaction.atomic():
        updated = (
            OrderChange.objects.filter(id=change.id, state__in=(ChangeState.APPLYING, ChangeState.PENDING)).update(
                state=ChangeState.APPLIED,
                claim_token="",
                last_sent_at=None,
                not_before=None,
                reason=detail,
                applied_at=now,
                explanation=record_fields.get("explanation", ""),
            )  # fmt: skip
        )
        if updated:
            PushRecord.objects.filter(id=change.record_id).update(**record_fields, updated_at=now)
            ChangeAttempt.objects.create(change_id=change.id, outcome=outcome, detail=detail, started_at=started_at)


def release(*, change_ids: list[int], token: str, not_before: datetime | None = None) -> int:
    """Hand claimed but untouched changes back (nothing was sent for them)."""
    return OrderChange.objects.filter(id__in=change_ids, state=ChangeState.APPLYING, claim_token=token).update(
        state=ChangeState.PENDING, claim_token="", not_before=not_before, attempts=F("attempts") - 1
    )


def recover_abandoned(*, lease_seconds: int) -> int:
    """Changes whose lane died go back to pending; their ``last_sent_at`` stays, so the next lane
    reads the order back before writing anything again."""
    cutoff = timezone.now() - timedelta(seconds=lease_seconds)
    return OrderChange.objects.filter(state=ChangeState.APPLYING, claimed_at__lt=cutoff).update(
        state=ChangeState.PENDING, claim_token=""
    )


def has_pending(*, shop_id: int) -> bool:
    return OrderChange.objects.filter(shop_id=shop_id, state=ChangeState.PENDING).exists()


def next_due_in(*, shop_id: int) -> float | None:
    """Seconds until the shop's next pending change may be claimed (None: none pending)."""
    rows = OrderChange.objects.filter(shop_id=shop_id, state=ChangeState.PENDING, record__state=PushRecord.State.PUSHED)
    if not rows.exists():
        return None
    if rows.filter(not_before__isnull=True).exists():
        return 0.0
    earliest = rows.order_by("not_before").values_list("not_before", flat=True).first()
    return max((earliest - timezone.now()).total_seconds(), 0.0) if earliest else 0.0
