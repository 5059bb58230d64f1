"""What Success reps change for a store, audited: the console and the management command both
call these, so a change made from a script is recorded exactly like one made in the console."""

import logging

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from integrations.orders.models import PushRecord, ShipmentEvent
from integrations.orders.services import bulk_road, lifecycle, shipments
from integrations.shops.models import Shop
from shopapp.models import SettingChange, TransactionDataRequest

logger = logging.getLogger(__name__)

TRANSACTION_DATA = "include_transaction_data"
PUSHES_PAUSED = "pushes_paused"


class ReasonRequired(ValueError):
    pass


def _on_off(value: bool) -> str:
    return "on" if value else "off"


def _record(
    *, shop: Shop, setting: str, old: bool, new: bool, reason: str, by_email: str, staff_user: AbstractBaseUser | None
) -> SettingChange:
    reason = (reason or "").strip()
    if not reason:
        raise ReasonRequired("A reason is required: it is kept in the audit log.")
    if not (by_email or "").strip():
        raise ValueError("The staff member's email is required.")
    change = SettingChange.objects.create(
        shop=shop,
        setting=setting,
        old_value=_on_off(old),
        new_value=_on_off(new),
        reason=reason,
        changed_by=by_email.strip(),
        staff_user=staff_user,
    )
    logger.info(
        "staff.setting_changed",
        extra={
            "shop": shop.domain,
            "setting": setting,
            "old": change.old_value,
            "new": change.new_value,
            "changed_by": change.changed_by,
            "change_id": change.id,
        },
    )
    return change


def _change(
    *, shop_id: int, setting: str, new: bool, reason: str, by_email: str, staff_user: AbstractBaseUser | None
) -> SettingChange:
    """Record the change of ``setting`` (a Shop field) and apply it, under the shop's row lock."""
    with transaction.atomic():
        shop = Shop.objects.select_for_update().get(id=shop_id)
        old = getattr(shop, setting)
        change = _record(
            shop=shop, setting=setting, old=old, new=new, reason=reason, by_email=by_email, staff_user=staff_user
        )
        if old != new:
            setattr(shop, setting, new)
            shop.save(update_fields=[setting, "updated_at"])
    return change


def set_transaction_data(
    *, shop_id: int, enabled: bool, reason: str, by_email: str, staff_user: AbstractBaseUser | None = None
) -> SettingChange:
    """Switch transaction data for a store (Paid / Partially Paid with "Total Paid by Backer", or
    always Paid). Applies to orders pushed from now on; every change is a SettingChange row, even
    one that leaves the value as it was (the rep's reason is still worth keeping). Turning it off
    closes the merchant's open requests for that."""
    change = _change(
        shop_id=shop_id,
        setting=TRANSACTION_DATA,
        new=enabled,
        reason=reason,
        by_email=by_email,
        staff_user=staff_user,
    )
    if not enabled:
        TransactionDataRequest.objects.filter(shop_id=shop_id, closed_at__isnull=True).update(
            closed_at=timezone.now(), closed_by=by_email.strip()
        )
    return change


def set_pushes_paused(
    *, shop_id: int, paused: bool, reason: str, by_email: str, staff_user: AbstractBaseUser | None = None
) -> SettingChange:
    """Pause (waiting orders stay waiting, nothing is lost) or resume a store's pushes."""
    change = _change(
        shop_id=shop_id,
        setting=PUSHES_PAUSED,
        new=paused,
        reason=reason,
        by_email=by_email,
        staff_user=staff_user,
    )
    if paused:
        lifecycle.pause_shop(shop_id=shop_id, reason=f"paused by {change.changed_by}")
    else:
        lifecycle.resume_shop(shop_id=shop_id)
    return change


def retry_failed(*, shop_id: int, by_email: str) -> int:
    """Bulk retry of a store's failed and needs-attention orders (invalid input excepted)."""
    count = lifecycle.retry_records(shop_id=shop_id)
    logger.info("staff.bulk_retry", extra={"shop_id": shop_id, "records": count, "by": by_email})
    return count


def resend_shipment(*, shop_id: int, event_id: int, by_email: str) -> ShipmentEvent:
    """Send a shipment (or cancellation) of the store's outbox to BackerKit again; LookupError when
    the store has no such event."""
    try:
        event = shipments.resend(shop_id=shop_id, event_id=event_id)
    except ShipmentEvent.DoesNotExist:
        raise LookupError(event_id) from None
    logger.info("staff.resend_shipment", extra={"shop_id": shop_id, "event_id": event_id, "by": by_email})
    return event


def bulk_road_on(*, shop_id: int, by_email: str) -> None:
    """A rep lets a shop whose bulk road Shopify refused try it again."""
    bulk_road.turn_on_again(shop_id=shop_id)
    logger.info("staff.bulk_road_on", extra={"shop_id": shop_id, "by": by_email})


def log_personal_data_access(*, staff_user: AbstractBaseUser, record: PushRecord, what: str) -> None:
    """Staff access to a customer's personal data (protected customer data, level 2) is logged as a
    structured event: who, which store, which order, what was shown. Never the data itself."""
    logger.info(
        "staff.personal_data_viewed",
        extra={
            "staff_user_id": staff_user.pk,
            "staff_email": getattr(staff_user, "email", ""),
            "shop_id": record.shop_id,
            "record_id": record.id,
            "backerkit_order_id": record.backerkit_order_id,
            "what": what,
        },
    )
