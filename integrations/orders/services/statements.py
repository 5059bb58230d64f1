"""The push's hot-path statements: claiming a batch, stamping a send, writing an outcome with its
attempt, each as one statement where the database allows it.

Every pushed order ends with "update the record, add an attempt": with the ORM that is four round
trips (BEGIN, UPDATE, INSERT, COMMIT) and most of the lane's CPU in query building. On PostgreSQL a
data-modifying CTE does both in one statement, atomically (a single statement is its own
transaction): ``WITH updated AS (UPDATE ... RETURNING id) INSERT INTO attempts ...``. SQLite (the
embedded default) has no data-modifying CTEs: there the same writes run as the ORM's two statements
in one transaction. Both paths write the same columns with the same values (tests run on both:
tests/integrations/orders/services/test_statements.py).

A lane's next send rides on the same statement (``pushed_then_stamp``): the previous order's pushed
outcome and attempt, then the next record's stamp, one statement for the three writes (two round
trips per pushed order become one; services/claims.py, ``WriteBehind``).

The SQL is built from the models' own field definitions (column names, value preparation such as
encryption), so a renamed column or an encrypted field cannot drift from what the ORM would write.
"""

from datetime import datetime
from functools import lru_cache
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from integrations.orders.models import PushAttempt, PushRecord

_ATTEMPT_COLUMNS = "record_id, outcome, detail, started_at, finished_at"


def update_with_attempt(
    *,
    record_id: int,
    fields: dict[str, Any],
    only_if: dict[str, Any] | None = None,
    unless_state: str | None = None,
    attempt: tuple[str, str, datetime],
    attempt_always: bool = False,
) -> int:
    """Update the record (when it matches ``only_if`` and is not in ``unless_state``) and record the
    attempt (``outcome, detail, started_at``): only when the update matched, or always. Returns how
    many records were updated (0 or 1)."""
    if connection.vendor == "postgresql":
        return _one_statement(record_id, fields, only_if or {}, unless_state, attempt, attempt_always)
    with transaction.atomic():
        matched = PushRecord.objects.filter(id=record_id, **(only_if or {}))
        if unless_state is not None:
            matched = matched.exclude(state=unless_state)
        updated = matched.update(**fields)
        if updated or attempt_always:
            outcome, detail, started_at = attempt
            PushAttempt.objects.create(record_id=record_id, outcome=outcome, detail=detail, started_at=started_at)
    return updated


def pushed_then_stamp(
    *,
    pushed: tuple[int, dict[str, Any], str, tuple[str, str, datetime]],
    stamp: tuple[int, dict[str, Any], dict[str, Any]],
) -> int:
    """Write a pushed outcome and its attempt (``record_id, fields, unless_state, attempt``: as
    ``update_with_attempt`` with ``attempt_always``), then stamp another record (``record_id,
    fields, only_if``: as ``update_record``), atomically. Returns how many records the stamp updated
    (0 or 1); the pushed outcome is written whether the stamp matched or not."""
    record_id, fields, unless_state, attempt = pushed
    stamp_id, stamp_fields, only_if = stamp
    if connection.vendor != "postgresql":
        with transaction.atomic():
            update_with_attempt(record_id=record_id, fields=fields, unless_state=unless_state, attempt=attempt,
                                attempt_always=True)  # fmt: skip
            return update_record(record_id=stamp_id, fields=stamp_fields, only_if=only_if)
    sets, where, params = _set_and_where(record_id, fields, {}, unless_state=unless_state)
    outcome, detail, started_at = attempt
    stamp_sets, stamp_where, stamp_params = _set_and_where(stamp_id, stamp_fields, only_if)
    record_table, attempt_table = _tables()
    # Each data-modifying part of a WITH runs exactly once, read or not (PostgreSQL's documentation,
    # "Data-Modifying Statements in WITH"): the pushed write never depends on the stamp matching.
    sql = (
        f"WITH done AS (UPDATE {record_table} SET {sets} WHERE {where}), "  # noqa: S608 - names from the models
        f"tried AS (INSERT INTO {attempt_table} ({_ATTEMPT_COLUMNS}) VALUES (%s, %s, %s, %s, %s)), "
        f"stamped AS (UPDATE {record_table} SET {stamp_sets} WHERE {stamp_where} RETURNING 1) "
        "SELECT count(*) FROM stamped"
    )
    attempt_params = [record_id, outcome, detail, started_at, timezone.now()]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *attempt_params, *stamp_params])
        return int(cursor.fetchone()[0])


def claim_rows(*, shop_id: int, limit: int, token: str, now: datetime) -> list[PushRecord] | None:
    """Claim up to ``limit`` claimable pending records of the shop in one statement and return them
    (PostgreSQL: ``UPDATE ... WHERE id IN (SELECT ... FOR UPDATE SKIP LOCKED) RETURNING *``, so two
    lanes never claim one record). None where the database has no row locks (SQLite): the caller
    claims with the ORM instead."""
    if connection.vendor != "postgresql":
        return None
    quote = connection.ops.quote_name
    record_table, _ = _tables()
    columns = ", ".join(quote(field.column) for field in PushRecord._meta.concrete_fields)
    sql = (
        f"UPDATE {record_table} SET state = %s, claimed_at = %s, claim_token = %s, attempts = attempts + 1 "  # noqa: S608
        f"WHERE id IN (SELECT id FROM {record_table} WHERE shop_id = %s AND state = %s "
        "AND (not_before IS NULL OR not_before <= %s) ORDER BY id LIMIT %s FOR UPDATE SKIP LOCKED) "
        f"RETURNING {columns}"
    )
    params = [PushRecord.State.PUSHING, now, token, shop_id, PushRecord.State.PENDING, now, limit]
    return sorted(PushRecord.objects.raw(sql, params), key=lambda record: record.id)


def update_record(*, record_id: int, fields: dict[str, Any], only_if: dict[str, Any]) -> int:
    """One UPDATE of the record when it matches ``only_if`` (a plain UPDATE: every database has it),
    built once from the fields instead of through the ORM's query compiler on the hot path."""
    sets, where, params = _set_and_where(record_id, fields, only_if)
    record_table, _ = _tables()
    sql = f"UPDATE {record_table} SET {sets} WHERE {where}"  # noqa: S608 - model names
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def _one_statement(
    record_id: int,
    fields: dict[str, Any],
    only_if: dict[str, Any],
    unless_state: str | None,
    attempt: tuple[str, str, datetime],
    attempt_always: bool,
) -> int:
    sets, where, params = _set_and_where(record_id, fields, only_if, unless_state=unless_state)
    outcome, detail, started_at = attempt
    attempt_params = [record_id, outcome, detail, started_at, timezone.now()]
    record_table, attempt_table = _tables()
    columns = _ATTEMPT_COLUMNS
    if attempt_always:
        insert = f"INSERT INTO {attempt_table} ({columns}) VALUES (%s, %s, %s, %s, %s)"  # noqa: S608 - model names
        returning = "RETURNING (SELECT count(*) FROM updated)"
    else:
        insert = f"INSERT INTO {attempt_table} ({columns}) SELECT %s, %s, %s, %s, %s FROM updated"  # noqa: S608
        returning = "RETURNING 1"
    sql = (
        f"WITH updated AS (UPDATE {record_table} SET {sets} "  # noqa: S608 - names from the models
        f"WHERE {where} RETURNING 1) {insert} {returning}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *attempt_params])
        rows = cursor.fetchall()
    if attempt_always:
        return int(rows[0][0]) if rows else 0
    return len(rows)


def _set_and_where(
    record_id: int, fields: dict[str, Any], only_if: dict[str, Any], *, unless_state: str | None = None
) -> tuple[str, str, list]:
    """``SET`` and ``WHERE`` for the record's fields and conditions (and, with ``unless_state``, not
    in that state), and their parameters in order."""
    quote = connection.ops.quote_name
    sets, where, params, where_params = [], [f"{quote('id')} = %s"], [], [record_id]
    for name, value in fields.items():
        column, prepared = _column(name, value)
        sets.append(f"{quote(column)} = %s")
        params.append(prepared)
    for name, value in only_if.items():
        column, prepared = _column(name, value)
        where.append(f"{quote(column)} = %s")
        where_params.append(prepared)
    if unless_state is not None:
        where.append(f"{quote('state')} <> %s")
        where_params.append(unless_state)
    return ", ".join(sets), " AND ".join(where), [*params, *where_params]


def _column(name: str, value: Any) -> tuple[str, Any]:
    field = PushRecord._meta.get_field(name)
    return field.column, field.get_db_prep_save(value, connection)


@lru_cache(maxsize=1)
def _tables() -> tuple[str, str]:
    quote = connection.ops.quote_name
    return quote(PushRecord._meta.db_table), quote(PushAttempt._meta.db_table)
