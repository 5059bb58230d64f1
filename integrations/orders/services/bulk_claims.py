"""The bulk road's claims on the queue, so that a record belongs to one road at a time.

A chunk is claimed like a lane's batch (``FOR UPDATE SKIP LOCKED``), from the other end of the
queue (highest ids first: the lanes take the lowest), and stamped with its bulk operation and the
operation's claim token (``bulk:<id>``) before anything is uploaded. Only records never sent are
taken: one whose earlier send is unresolved (``last_sent_at``) is the lanes' to look up. The
sweeper leaves ``bulk:`` claims alone (claims.recover_abandoned); the bulk follower takes them
back itself (services/bulk_follow.py), whatever stage a killed worker left them in.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from integrations.orders.models import BulkOperation, PushRecord
from integrations.orders.services.claims import finish

State = PushRecord.State
BULK_TOKEN_PREFIX = "bulk:"  # noqa: S105 - a claim prefix, not a secret


def claimable(*, shop_id: int, now: datetime | None = None):
    now = now or timezone.now()
    return PushRecord.objects.filter(shop_id=shop_id, state=State.PENDING, last_sent_at__isnull=True).filter(
        Q(not_before__isnull=True) | Q(not_before__lte=now)
    )


def claim_chunk(*, operation: BulkOperation, limit: int) -> list[int]:
    """The ids claimed (lowest first); the records are read a slice at a time by whoever maps them."""
    now = timezone.now()
    with transaction.atomic():
        ids = list(
            claimable(shop_id=operation.shop_id, now=now)
            .select_for_update(skip_locked=True)
            .order_by("-id")
            .values_list("id", flat=True)[:limit]
        )
        if ids:
            PushRecord.objects.filter(id__in=ids).update(
                state=State.PUSHING, claimed_at=now, claim_token=operation.claim_token,
                bulk_operation=operation, bulk_line=None, attempts=F("attempts") + 1,
            )  # fmt: skip
    return sorted(ids)


def held(operation: BulkOperation):
    """The operation's records it still holds (nothing written for them yet)."""
    return PushRecord.objects.filter(bulk_operation=operation, state=State.PUSHING, claim_token=operation.claim_token)


def stamp_lines(*, operation: BulkOperation, lines: list[tuple[PushRecord, int, dict, dict]]) -> None:
    """Each record's line and what it is sent (the variables, the money it expects), as a lane's
    ``mark_sending`` records them, without ``last_sent_at``: nothing can run before ``stamp_run``."""
    if not lines:
        return
    # One prepared UPDATE per record, sent together (psycopg's executemany pipelines them): Django's
    # bulk_update builds a CASE per field and row, 13 s of CPU for 2,000 records, this 0.3 s.
    names = ["bulk_line", "sent_input", *lines[0][3].keys()]
    fields = [PushRecord._meta.get_field(name) for name in names]
    columns = ", ".join(f"{connection.ops.quote_name(field.column)} = %s" for field in fields)
    table = connection.ops.quote_name(PushRecord._meta.db_table)
    # Identifiers from the model's own metadata, every value a parameter.
    sql = f"UPDATE {table} SET {columns} WHERE id = %s AND claim_token = %s"  # noqa: S608
    rows = []
    for record, line, variables, extra in lines:
        record.bulk_line, record.sent_input = line, variables
        for name, value in extra.items():
            setattr(record, name, value)
        values = [field.get_db_prep_save(getattr(record, field.attname), connection) for field in fields]
        rows.append((*values, record.id, operation.claim_token))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def stamp_run(*, operation: BulkOperation) -> None:
    """From here the records may be in Shopify: ``last_sent_at`` set, the operation RUN_SENT, at once."""
    now = timezone.now()
    with transaction.atomic():
        held(operation).exclude(bulk_line__isnull=True).update(last_sent_at=now, claimed_at=now)
        BulkOperation.objects.filter(id=operation.id).update(stage=BulkOperation.Stage.RUN_SENT, run_sent_at=now)
    operation.stage, operation.run_sent_at = BulkOperation.Stage.RUN_SENT, now


def hand_back_unsent(*, operation: BulkOperation, problem: str) -> int:
    """Nothing of the operation can have run: its records go back to the queue as they were."""
    with transaction.atomic():
        count = held(operation).update(
            state=State.PENDING, claim_token="", last_sent_at=None, bulk_operation=None, bulk_line=None,
            attempts=F("attempts") - 1,
        )  # fmt: skip
        BulkOperation.objects.filter(id=operation.id).update(
            stage=BulkOperation.Stage.ABANDONED, problem=problem, handed_back=count, finished_at=timezone.now(),
            lease_until=None,
        )  # fmt: skip
    return count


def hand_to_lookup(*, operation: BulkOperation, reason: str, outcome: str) -> int:
    """Records the operation may have created but gave no result for: pending again, still marked
    as sent, so the lanes look each up by source identifier after the search grace before any
    resend (push._look_up), exactly as after a call whose answer was lost."""
    handed = 0
    started = timezone.now()
    grace = timedelta(seconds=settings.PUSH_SEARCH_GRACE_SECONDS)
    for record in held(operation).iterator(chunk_size=500):
        sent = record.last_sent_at or started
        written = finish(record=record, token=operation.claim_token, state=State.PENDING, outcome=outcome,
                         started_at=started, error=reason, not_before=sent + grace,
                         clear_sent=record.last_sent_at is None)  # fmt: skip
        handed += int(written)
    return handed


def take_lease(*, operation_id: int, seconds: float) -> BulkOperation | None:
    """The operation, if no other worker is on it (its lease ran out), leased to this one."""
    now = timezone.now()
    taken = (
        BulkOperation.objects.filter(id=operation_id)
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
        .update(lease_until=now + timedelta(seconds=seconds))
    )
    return BulkOperation.objects.select_related("shop").get(id=operation_id) if taken else None


def renew_lease(*, operation: BulkOperation, seconds: float) -> None:
    BulkOperation.objects.filter(id=operation.id).update(lease_until=timezone.now() + timedelta(seconds=seconds))


def release_lease(*, operation: BulkOperation) -> None:
    BulkOperation.objects.filter(id=operation.id).update(lease_until=None)
