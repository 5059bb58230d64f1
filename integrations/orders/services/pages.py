"""Writes behind the merchant's pages: BackerKit connections, fetching orders, starting a push,
store settings, and the preview (a dry run: nothing written, nothing sent).

Keyword-only, type-annotated, every call scoped to one shop: a view passes ``request.shop.id`` and
never a row it did not load through that shop.
"""

import logging
from dataclasses import dataclass

from django.db import IntegrityError, transaction

from integrations.backerkit.errors import (
    BackerKitError,
    BackerKitNotFound,
    BackerKitThrottled,
    BackerKitTransient,
    BackerKitUnauthorized,
)
from integrations.orders.lane_tasks import start_lanes
from integrations.orders.models import BackerKitConnection, PushRecord
from integrations.orders.selectors_pages import waiting_count, waiting_records
from integrations.orders.services import lanes, lifecycle
from integrations.orders.services.preview import PreviewSummary, preview_entries
from integrations.orders.services.pull import client_for, key_works_again, pull_connection
from integrations.shopify.errors import ShopifyError
from integrations.shops.models import Shop
from integrations.shops.tokens.access import ShopDisconnected, admin_client_for

logger = logging.getLogger(__name__)

State = PushRecord.State
PREVIEW_LIMIT = 1000


class ConnectionProblem(Exception):
    """A BackerKit connection could not be made; ``field`` names the form field it belongs to."""

    def __init__(self, message: str, *, field: str = ""):
        super().__init__(message)
        self.message = message
        self.field = field


class PushNotPossible(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class ConnectionCheck:
    ok: bool
    message: str


# --- BackerKit connections -----------------------------------------------------------------------


def _explain(exc: BackerKitError) -> ConnectionProblem:
    if isinstance(exc, BackerKitUnauthorized):
        return ConnectionProblem("BackerKit refused this API key. Copy it again from BackerKit.", field="api_key")
    if isinstance(exc, BackerKitNotFound):
        return ConnectionProblem("BackerKit has no project with this ID. Check the project ID.", field="project")
    if isinstance(exc, BackerKitThrottled | BackerKitTransient):
        return ConnectionProblem("BackerKit did not answer just now. Try again in a minute.")
    return ConnectionProblem(f"BackerKit refused the request: {exc.message}")


def check_connection(*, shop_id: int, connection_id: int) -> ConnectionCheck:
    """ "Test connection": ask BackerKit for the project with the stored key (nothing is changed)."""
    connection = BackerKitConnection.objects.get(shop_id=shop_id, id=connection_id)
    if connection.kind != BackerKitConnection.Kind.API or not connection.api_key:
        return ConnectionCheck(False, "This connection imports files: there is no API key to test.")
    try:
        with client_for(connection) as client:
            project = client.project()
    except BackerKitError as exc:
        return ConnectionCheck(False, _explain(exc).message)
    logger.info("pages.connection_tested", extra={"shop_id": shop_id, "connection_id": connection_id})
    if key_works_again(connection=connection):
        return ConnectionCheck(True, f"Connected to “{project.name}” ({project.currency}). Fetching resumes.")
    return ConnectionCheck(True, f"Connected to “{project.name}” ({project.currency}).")


def add_connection(*, shop: Shop, store_name: str, project: str, api_key: str) -> BackerKitConnection:
    """Check the key with BackerKit first, then save the connection (or re-activate a removed one
    of the same store name: its pushed orders keep their history)."""
    candidate = BackerKitConnection(
        shop=shop,
        store_name=store_name.strip(),
        project=project.strip(),
        api_key=api_key.strip(),
        kind=BackerKitConnection.Kind.API,
    )
    try:
        with client_for(candidate) as client:
            found = client.project()
    except BackerKitError as exc:
        raise _explain(exc) from exc
    if shop.currency and found.currency and found.currency != shop.currency:
        raise ConnectionProblem(
            f"This BackerKit project is in {found.currency} but your Shopify store sells in {shop.currency}. "
            "Orders can only be pushed to a store in the same currency.",
            field="project",
        )
    existing = BackerKitConnection.objects.filter(shop=shop, store_name=candidate.store_name).first()
    if existing and existing.status == BackerKitConnection.Status.ACTIVE:
        raise ConnectionProblem("You already have a connection with this store name.", field="store_name")
    connection = existing or candidate
    connection.project, connection.api_key = candidate.project, candidate.api_key
    connection.kind, connection.currency = BackerKitConnection.Kind.API, found.currency
    connection.status, connection.stopped_reason = BackerKitConnection.Status.ACTIVE, ""
    connection.pull_not_before, connection.pull_failures, connection.last_pull_error = None, 0, ""
    try:
        connection.save()
    except IntegrityError as exc:  # two tabs adding the same store name at once
        raise ConnectionProblem("You already have a connection with this store name.", field="store_name") from exc
    logger.info("pages.connection_added", extra={"shop_id": shop.id, "connection_id": connection.id})
    return connection


def remove_connection(*, shop_id: int, connection_id: int) -> str:
    """Remove a connection. One that already pushed orders is stopped instead of deleted (its API
    key is erased; its orders keep their history); one that never pushed is deleted with its
    waiting orders. Returns "stopped" or "deleted"."""
    connection = BackerKitConnection.objects.get(shop_id=shop_id, id=connection_id)
    with transaction.atomic():
        if connection.push_records.filter(state=State.PUSHED).exists():
            connection.push_records.filter(state__in=[State.PENDING, State.PAUSED]).delete()
            connection.status = BackerKitConnection.Status.STOPPED
            connection.stopped_reason = "Removed by the store."
            connection.api_key = ""
            connection.save(update_fields=["status", "stopped_reason", "api_key"])
            outcome = "stopped"
        else:
            connection.delete()
            outcome = "deleted"
    logger.info(
        "pages.connection_removed", extra={"shop_id": shop_id, "connection_id": connection_id, "outcome": outcome}
    )
    return outcome


def fetch_orders(*, shop_id: int, connection_id: int) -> int:
    """Pull the project's locked orders now, without pushing them (the merchant previews first).
    Returns how many orders were taken in."""
    connection = BackerKitConnection.objects.get(shop_id=shop_id, id=connection_id)
    if connection.status != BackerKitConnection.Status.ACTIVE or connection.kind != BackerKitConnection.Kind.API:
        raise ConnectionProblem("This connection is stopped. Add it again with a valid API key.")
    try:
        runs = pull_connection(connection_id=connection.id, start_push=False)
    except BackerKitError as exc:
        raise _explain(exc) from exc
    return sum(run.accepted for run in runs)


# --- the push ------------------------------------------------------------------------------------


def start_push(*, shop_id: int) -> int:
    """Send every waiting order now. Returns how many orders are queued."""
    shop = Shop.objects.get(id=shop_id)
    if not shop.is_connected:
        raise PushNotPossible("Shopify is disconnected. Reconnect the store first: nothing is lost meanwhile.")
    if shop.pushes_paused:
        raise PushNotPossible("BackerKit support paused pushes for this store. Contact your Success rep.")
    with transaction.atomic():
        PushRecord.objects.filter(shop_id=shop_id, state=State.PAUSED).update(state=State.PENDING)
        queued = PushRecord.objects.filter(shop_id=shop_id, state=State.PENDING).count()
        if queued:
            start_lanes(shop_id=shop_id)
    logger.info("pages.push_started", extra={"shop_id": shop_id, "records": queued})
    return queued


def retry(*, shop_id: int, record_ids: list[int] | None) -> int:
    shop = Shop.objects.get(id=shop_id)
    if not shop.is_connected:
        raise PushNotPossible("Shopify is disconnected. Reconnect the store first, then retry.")
    return lifecycle.retry_records(shop_id=shop_id, record_ids=record_ids)


# --- settings ------------------------------------------------------------------------------------

MERCHANT_SETTINGS = ("auto_push", "tax_mode", "inventory_behaviour", "send_receipt", "send_fulfillment_receipt")


def save_settings(*, shop_id: int, values: dict) -> list[str]:
    """Save the settings a merchant may change (never transaction data). Returns the changed names."""
    unknown = set(values) - set(MERCHANT_SETTINGS)
    if unknown:
        raise ValueError(f"not a merchant setting: {sorted(unknown)}")
    with transaction.atomic():
        shop = Shop.objects.select_for_update().get(id=shop_id)
        changed = [name for name, value in values.items() if getattr(shop, name) != value]
        for name in changed:
            setattr(shop, name, values[name])
        if changed:
            shop.save(update_fields=[*changed, "updated_at"])
    logger.info("pages.settings_saved", extra={"shop_id": shop_id, "changed": changed})
    return changed


def dismiss_setup_guide(*, shop_id: int) -> None:
    Shop.objects.filter(id=shop_id).update(setup_guide_dismissed=True)


# --- preview -------------------------------------------------------------------------------------


@dataclass
class WaitingPreview:
    summary: PreviewSummary
    waiting: int
    shown: int
    problem: str = ""

    @property
    def truncated(self) -> bool:
        return self.shown < self.waiting


def preview_waiting(*, shop: Shop, limit: int = PREVIEW_LIMIT) -> WaitingPreview:
    """What the waiting orders would become in Shopify, with the shop's real variants and settings.
    At most ``limit`` orders (the oldest: the ones a push sends first)."""
    waiting = waiting_count(shop_id=shop.id)
    records = waiting_records(shop_id=shop.id, limit=limit)
    summary = PreviewSummary()
    if not records:
        return WaitingPreview(summary, waiting, 0)
    try:
        client = admin_client_for(shop_id=shop.id)
    except ShopDisconnected:
        return WaitingPreview(summary, waiting, 0, "Shopify is disconnected: reconnect to preview your orders.")
    by_connection: dict[int, list[PushRecord]] = {}
    for record in records:
        by_connection.setdefault(record.connection_id, []).append(record)
    try:
        for group in by_connection.values():
            settings = lanes.mapping_settings(shop=shop, connection=group[0].connection)
            entries = ((position, record.order_data or {}) for position, record in enumerate(group, start=1))
            summary.lines.extend(preview_entries(entries=entries, settings=settings, client=client).lines)
    except ShopifyError as exc:
        logger.warning("pages.preview_failed", extra={"shop_id": shop.id, "error": type(exc).__name__})
        return WaitingPreview(PreviewSummary(), waiting, 0, "Shopify did not answer just now. Try again in a minute.")
    return WaitingPreview(summary, waiting, len(records))
