"""Recomputing customer digests with the newest ``CUSTOMER_DIGEST_KEYS`` key (after a rotation).

A digest is recomputed from the email still held in the record's order data; a record whose
personal data is already erased keeps the digest it has (still matched while its key is listed).
"""

import logging
import uuid
from dataclasses import dataclass

from django.db import transaction

from integrations.orders.models import PushRecord
from integrations.orders.services.digests import customer_digest

logger = logging.getLogger(__name__)

BATCH = 500


@dataclass
class DigestRotation:
    recomputed: int = 0
    unchanged: int = 0
    without_email: int = 0
    failed: int = 0


def rotate_customer_digests() -> DigestRotation:
    result = DigestRotation()
    last_id = 0
    records = PushRecord.objects.exclude(customer_digest="").order_by("id")
    while batch := list(records.filter(id__gt=last_id).values_list("id", flat=True)[:BATCH]):
        last_id = batch[-1]
        for record_id in batch:
            try:
                _rotate_one(record_id=record_id, result=result)
            except Exception:  # a per-record boundary: a value that no longer decrypts is logged, not fatal
                result.failed += 1
                error_id = uuid.uuid4().hex[:12]
                logger.exception("privacy.digest_rotation_failed", extra={"record_id": record_id, "error_id": error_id})
    logger.info("privacy.digests_rotated", extra=result.__dict__)
    return result


def _rotate_one(*, record_id: int, result: DigestRotation) -> None:
    with transaction.atomic():
        record = PushRecord.objects.select_for_update().filter(id=record_id).only("id", "customer_digest", "order_data")
        record = record.first()
        if record is None:
            return
        email = (record.order_data or {}).get("email") if isinstance(record.order_data, dict) else None
        if not isinstance(email, str) or not email.strip():
            result.without_email += 1
            return
        digest = customer_digest(email)
        if digest == record.customer_digest:
            result.unchanged += 1
            return
        PushRecord.objects.filter(id=record.id).update(customer_digest=digest)
        result.recomputed += 1
