"""Pulling locked (ready to ship) orders from BackerKit, page by page since the stored cursor.

Each page is imported and the cursor saved after it, so an interrupted pull resumes where it
stopped and a re-pulled page changes nothing (the import is idempotent).
"""

import logging
from collections.abc import Callable

from django.conf import settings
from django.utils import timezone

from integrations.backerkit.client import BackerKitClient
from integrations.orders.models import BackerKitConnection, ImportRun
from integrations.orders.services.imports import import_orders
from integrations.shops.models import Shop

logger = logging.getLogger(__name__)


def client_for(connection: BackerKitConnection) -> BackerKitClient:
    return BackerKitClient(
        api_url=settings.BACKERKIT_API_URL,
        api_key=connection.api_key,
        project=connection.project,
        timeout=settings.BACKERKIT_TIMEOUT,
    )


def connections_due() -> list[int]:
    return list(
        BackerKitConnection.objects.filter(
            kind=BackerKitConnection.Kind.API,
            status=BackerKitConnection.Status.ACTIVE,
            shop__status=Shop.Status.CONNECTED,
            shop__auto_push=True,
        ).values_list("id", flat=True)
    )


def pull_connection(
    *, connection_id: int, start_push: bool = True, on_page: Callable[[ImportRun], None] | None = None
) -> list[ImportRun]:
    """``on_page`` hears of every page once it is taken in (a merchant's pull shows its progress)."""
    connection = BackerKitConnection.objects.select_related("shop").get(id=connection_id)
    runs = []
    with client_for(connection) as client:
        runs.extend(_pull_pages(connection=connection, client=client, start_push=start_push, on_page=on_page))
    return runs


def _pull_pages(
    *, connection: BackerKitConnection, client: BackerKitClient, start_push: bool, on_page=None
) -> list[ImportRun]:
    runs = []
    for page in client.iter_locked_orders(since=connection.cursor or None):
        run = import_orders(
            shop=connection.shop,
            connection=connection,
            entries=enumerate(page.orders, start=1),
            source=ImportRun.Source.PULL,
            label=f"pull since {connection.cursor or 'start'}",
            start_push=start_push and connection.shop.auto_push,
        )
        runs.append(run)
        if page.next_cursor:
            connection.cursor = page.next_cursor
        connection.last_pulled_at = timezone.now()
        connection.save(update_fields=["cursor", "last_pulled_at"])
        if on_page:
            on_page(run)
    return runs
