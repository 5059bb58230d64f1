"""Reads of a store's BackerKit connections and the pulls merchants asked for."""

from django.db.models import Max

from integrations.orders.models import BackerKitConnection, PullRun


def connections_of(*, shop_id: int) -> list[BackerKitConnection]:
    return list(BackerKitConnection.objects.filter(shop_id=shop_id).order_by("store_name"))


def connection_of(*, shop_id: int, connection_id: int) -> BackerKitConnection | None:
    return BackerKitConnection.objects.filter(shop_id=shop_id, id=connection_id).first()


def latest_pulls(*, shop_id: int) -> dict[int, PullRun]:
    """Each connection's most recent pull, by connection id (two queries; a store has a handful
    of connections)."""
    latest: dict[int, PullRun] = {}
    ids = (
        PullRun.objects.filter(shop_id=shop_id)
        .values("connection_id")
        .order_by()
        .annotate(last=Max("id"))
        .values_list("last", flat=True)
    )
    for run in PullRun.objects.filter(id__in=list(ids)):
        latest[run.connection_id] = run
    return latest


def active_pulls(*, shop_id: int) -> list[PullRun]:
    return [run for run in latest_pulls(shop_id=shop_id).values() if run.active]
