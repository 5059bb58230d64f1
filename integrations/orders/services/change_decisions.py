"""The merchant's decisions on changes: approve one (or all) waiting, apply one anyway past a guard,
keep Shopify's values in a conflict, dismiss one; and which kinds apply by themselves.

Refusals are ``ChangeNotPossible`` with a code the pages word (shopapp/pages/change_wording.py).
"""

import logging

from django.db import transaction
from django.utils import timezone

from integrations.orders.change_lane_tasks import start_change_lanes
from integrations.orders.models import ChangeSettings, OrderChange
from integrations.orders.services.change_apply import CHARGES, CHARGES_WORDS, CONFLICT, FULFILMENT, WAREHOUSE_WORDS
from integrations.orders.services.change_intake import applies_by_itself

logger = logging.getLogger(__name__)

ChangeState = OrderChange.State
DECIDABLE = (ChangeState.AWAITING_APPROVAL, ChangeState.NEEDS_ATTENTION, ChangeState.CONFLICT, ChangeState.PENDING)


class ChangeNotPossible(Exception):
    NOT_FOUND = "not_found"
    NOT_OPEN = "not_open"

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def _open_change(*, shop_id: int, change_id: int) -> OrderChange:
    change = OrderChange.objects.select_for_update().filter(shop_id=shop_id, id=change_id).first()
    if change is None:
        raise ChangeNotPossible(ChangeNotPossible.NOT_FOUND)
    if change.state not in DECIDABLE:
        raise ChangeNotPossible(ChangeNotPossible.NOT_OPEN)
    return change


def _guard_of(reason: str) -> str:
    if WAREHOUSE_WORDS in reason:
        return FULFILMENT
    return CHARGES if CHARGES_WORDS in reason else ""


def approve(*, shop_id: int, change_id: int, who: str = "the merchant") -> OrderChange:
    """Send a change waiting for approval; past a guard ("Apply anyway"), send it despite the
    warehouse or over the merchant's own edit in Shopify."""
    with transaction.atomic():
        change = _open_change(shop_id=shop_id, change_id=change_id)
        overrides = list(change.overrides)
        if change.state == ChangeState.NEEDS_ATTENTION:
            # Past the guard that stopped it (the warehouse; taxes an order edit cannot change: the
            # rest is applied); any other reason (Shopify refused, an error) is simply tried again.
            guard = _guard_of(change.reason)
            if guard and guard not in overrides:
                overrides.append(guard)
            change.resolution = f"Applied anyway by {who}" if guard else f"Tried again by {who}"
        elif change.state == ChangeState.CONFLICT and CONFLICT not in overrides:
            overrides.append(CONFLICT)
            change.resolution = f"BackerKit's value kept by {who}"
        elif change.state == ChangeState.AWAITING_APPROVAL:
            change.resolution = f"Approved by {who}"
        change.overrides, change.state, change.not_before, change.reason = overrides, ChangeState.PENDING, None, ""
        change.attempts, change.resolved_at = 0, timezone.now()
        change.save()
        start_change_lanes(shop_id=shop_id)
    logger.info("change.approved", extra={"shop_id": shop_id, "change_id": change_id, "overrides": overrides})
    return change


def dismiss(*, shop_id: int, change_id: int, who: str = "the merchant") -> OrderChange:
    """Leave the Shopify order as it is: the change ends dismissed (in a conflict: Shopify's values kept)."""
    with transaction.atomic():
        change = _open_change(shop_id=shop_id, change_id=change_id)
        kept = "Shopify's value kept" if change.state == ChangeState.CONFLICT else "Dismissed"
        change.state, change.resolution, change.resolved_at = ChangeState.DISMISSED, f"{kept} by {who}", timezone.now()
        change.claim_token = ""
        change.save()
    logger.info("change.dismissed", extra={"shop_id": shop_id, "change_id": change_id})
    return change


def approve_waiting(*, shop_id: int, who: str = "the merchant") -> int:
    """Approve every change waiting for approval. Returns how many."""
    with transaction.atomic():
        count = OrderChange.objects.filter(shop_id=shop_id, state=ChangeState.AWAITING_APPROVAL).update(
            state=ChangeState.PENDING, resolution=f"Approved by {who}", resolved_at=timezone.now()
        )
        if count:
            start_change_lanes(shop_id=shop_id)
    return count


def update_settings(*, shop_id: int, auto_address: bool, auto_items: bool, auto_money: bool,
                    auto_cancel: bool) -> int:  # fmt: skip
    """Save which kinds apply by themselves; changes waiting only for a kind now on are sent.
    Returns how many waiting changes that released."""
    with transaction.atomic():
        choice, _ = ChangeSettings.objects.select_for_update().get_or_create(shop_id=shop_id)
        choice.auto_address, choice.auto_items = auto_address, auto_items
        choice.auto_money, choice.auto_cancel = auto_money, auto_cancel
        choice.save()
        released = [
            change.id
            for change in OrderChange.objects.filter(shop_id=shop_id, state=ChangeState.AWAITING_APPROVAL).only(
                "id", "kinds"
            )
            if applies_by_itself(change.kinds, choice)
        ]
        if released:
            OrderChange.objects.filter(id__in=released).update(state=ChangeState.PENDING)
            start_change_lanes(shop_id=shop_id)
    return len(released)
