"""Newer BackerKit versions of pushed orders coming in (a re-imported file, a pull): OrderChanges.

Called by the import, under the record's row lock, for a record already pushed (or being pushed).
The incoming version is classified against what Shopify has (``changes.classify``); the same or an
older version changes nothing; a newer one becomes the record's next OrderChange, pending when the
shop applies its kinds by itself, else waiting for the merchant's approval. A change still waiting
when a newer version comes is superseded by it (final, with the reason): the newer one carries the
whole difference from what Shopify has. Nothing here talks to Shopify.
"""

import logging

from integrations.backerkit.orders import BackerKitOrder, rebuild_validated_order
from integrations.orders.changes import (
    ADDRESS,
    CANCEL,
    ITEMS,
    MONEY,
    TAGS,
    Classification,
    Version,
    classify,
    parse_updated_at,
    status_of,
    version_of,
)
from integrations.orders.models import BackerKitConnection, ChangeSettings, ImportRun, OrderChange, PushRecord

logger = logging.getLogger(__name__)

ChangeState = OrderChange.State


def settings_for(shop_id: int) -> ChangeSettings:
    """The shop's choice of kinds applied by themselves (defaults until the merchant saves one)."""
    return ChangeSettings.objects.filter(shop_id=shop_id).first() or ChangeSettings(shop_id=shop_id)


def applies_by_itself(kinds: list[str] | tuple[str, ...], choice: ChangeSettings) -> bool:
    automatic = {ADDRESS: choice.auto_address, TAGS: choice.auto_address, ITEMS: choice.auto_items,
                 MONEY: choice.auto_money, CANCEL: choice.auto_cancel}  # fmt: skip
    return all(automatic[kind] for kind in kinds)


def synced_version(record: PushRecord) -> Version:
    """What Shopify has of the record's order, as this app last wrote it."""
    stored = record.order_data or {}
    order = rebuild_validated_order(stored)
    store_name = record.synced_store_name or record.connection.store_name
    return version_of(order, status=status_of(stored), updated_at=record.synced_updated_at, store_name=store_name)


def version_of_stored(stored: dict, *, store_name: str) -> Version:
    return version_of(rebuild_validated_order(stored), status=status_of(stored),
                      updated_at=parse_updated_at(stored.get("updated_at")), store_name=store_name)  # fmt: skip


def take_in(
    *,
    record: PushRecord,
    order: BackerKitOrder,
    stored: dict,
    connection: BackerKitConnection,
    run: ImportRun | None,
    sent_by: str,
    choice: ChangeSettings,
) -> OrderChange | None:
    """The OrderChange a newer version makes (None: the same or an older version, nothing to do).
    ``record`` is locked by the caller; ``stored`` is the version's known fields."""
    found = classify_incoming(record=record, order=order, stored=stored, store_name=connection.store_name)
    if found is None:
        return None
    result, incoming, changes, current = found
    base = current.fingerprint
    latest = next((c for c in changes if c.state not in (ChangeState.SUPERSEDED, ChangeState.DISMISSED)), None)
    if result.verdict == "same" and latest is None:
        return None
    waiting = [c for c in changes if c.state in (ChangeState.PENDING, ChangeState.AWAITING_APPROVAL,
                                                 ChangeState.NEEDS_ATTENTION, ChangeState.CONFLICT)]  # fmt: skip
    version = (changes[0].version if changes else 0) + 1
    for old in waiting:
        _supersede(old, version=version)
    if result.verdict == "same":
        return None  # BackerKit went back to what Shopify has: the waiting change is moot
    return _create(record=record, result=result, incoming=incoming, stored=stored, version=version, base=base,
                   connection=connection, run=run, sent_by=sent_by, choice=choice)  # fmt: skip


def classify_incoming(
    *, record: PushRecord, order: BackerKitOrder, stored: dict, store_name: str
) -> tuple[Classification, Version, list[OrderChange], Version] | None:
    """How a version relates to what Shopify has and to the changes already known (None: nothing to
    do, it is the same as or older than one already known). Reads only: the dry run asks it too."""
    if not record.order_data:
        return None  # erased personal data: nothing to compare with
    incoming = version_of(order, status=status_of(stored), updated_at=parse_updated_at(stored.get("updated_at")),
                          store_name=store_name)  # fmt: skip
    changes = list(record.changes.order_by("-version"))
    current = synced_version(record)
    seen = {current.fingerprint, record.synced_fingerprint, *(c.fingerprint for c in changes),
            *(c.base_fingerprint for c in changes)} - {""}  # fmt: skip
    latest = next((c for c in changes if c.state not in (ChangeState.SUPERSEDED, ChangeState.DISMISSED)), None)
    if latest is not None and latest.state != ChangeState.APPLIED:
        # A version newer than Shopify's is already known: the incoming one must be newer than it too.
        known = Version(view={}, fingerprint=latest.fingerprint, updated_at=latest.source_updated_at)
        if incoming.fingerprint == known.fingerprint or _older(incoming, known, seen):
            return None
    result = classify(current=current, incoming=incoming, seen=seen - {current.fingerprint})
    if result.verdict == "older":
        return None
    return result, incoming, changes, current


def _older(incoming: Version, known: Version, seen: set[str]) -> bool:
    if incoming.updated_at is not None and known.updated_at is not None:
        return incoming.updated_at <= known.updated_at
    return incoming.fingerprint in seen


def _supersede(change: OrderChange, *, version: int) -> None:
    change.state = ChangeState.SUPERSEDED
    change.reason = f"Replaced by version {version}, newer, from BackerKit."
    change.claim_token = ""
    change.save(update_fields=["state", "reason", "claim_token", "updated_at"])


def _create(
    *,
    record: PushRecord,
    result: Classification,
    incoming: Version,
    stored: dict,
    version: int,
    base: str,
    connection: BackerKitConnection,
    run: ImportRun | None,
    sent_by: str,
    choice: ChangeSettings,
) -> OrderChange:
    state = ChangeState.PENDING if applies_by_itself(result.kinds, choice) else ChangeState.AWAITING_APPROVAL
    change = OrderChange.objects.create(
        shop_id=record.shop_id, record=record, version=version, import_run=run, kinds=list(result.kinds),
        fields=result.fields, diff=result.diff(), order_data=stored, fingerprint=incoming.fingerprint,
        base_fingerprint=base, source_updated_at=incoming.updated_at, store_name=connection.store_name,
        sent_by=sent_by[:255], state=state,
    )  # fmt: skip
    logger.info(
        "change.received",
        extra={"shop_id": record.shop_id, "record_id": record.id, "change_id": change.id, "version": version,
               "kinds": list(result.kinds), "fields": result.fields, "state": state},
    )  # fmt: skip
    return change
