"""Reads behind the preview: the waiting orders a push would send next, a page at a time."""

from collections.abc import Iterable

from integrations.orders.models import PushRecord

State = PushRecord.State
WAITING_STATES = (State.PENDING, State.PAUSED)


def _waiting(*, shop_id: int):
    return PushRecord.objects.filter(shop_id=shop_id, state__in=WAITING_STATES, invalid_input=False)


def waiting_count(*, shop_id: int) -> int:
    return _waiting(shop_id=shop_id).count()


def waiting_records(*, shop_id: int, offset: int, limit: int) -> list[PushRecord]:
    """The orders a push would send next (oldest first), with their connection: ``limit`` of them
    from ``offset`` (the only read of the encrypted ``order_data`` the preview does)."""
    return list(
        _waiting(shop_id=shop_id)
        .select_related("connection")
        .only("id", "backerkit_order_id", "backer_id", "order_data", "connection", "state")
        .order_by("id")[offset : offset + limit]
    )


def record_ids_by_order_id(*, shop_id: int, order_ids: Iterable[str]) -> dict[str, int]:
    return dict(
        PushRecord.objects.filter(shop_id=shop_id, backerkit_order_id__in=list(order_ids)).values_list(
            "backerkit_order_id", "id"
        )
    )
