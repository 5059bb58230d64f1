"""BackerKit refused a connection's key (401/403) or has no such project (404): the connection
stops (``REFUSED``) with the reason in words, shown where the connection is shown (its page, the
home page). Nothing is pulled and no shipment is sent until the key is fixed
(services/pull.py ``key_works_again`` / ``update_api_key``). Shared by the pull and the outbox."""

import logging

from integrations.backerkit.errors import BackerKitError, BackerKitUnauthorized
from integrations.orders.models import BackerKitConnection

logger = logging.getLogger(__name__)

Status = BackerKitConnection.Status


def refusal_reason(*, connection: BackerKitConnection, exc: BackerKitError, shipments: bool = False) -> str:
    """The merchant's words: what BackerKit refused, and what waits until it is fixed."""
    waits = (
        "Orders of this project are not fetched and shipments are not sent"
        if shipments
        else ("Orders of this project are not fetched")
    )
    if isinstance(exc, BackerKitUnauthorized):
        return (
            f"BackerKit refused the API key ({exc.status}). {waits} until you enter a valid key (or test the "
            "connection once the key works again)."
        )
    return (
        f"BackerKit has no project {connection.project!r} (404). Check the project ID and the key: "
        f"{waits[0].lower()}{waits[1:]} meanwhile."
    )


def refuse(*, connection: BackerKitConnection, reason: str) -> None:
    connection.status, connection.stopped_reason = Status.REFUSED, reason
    connection.last_pull_error, connection.pull_not_before = reason, None
    connection.save(update_fields=["status", "stopped_reason", "last_pull_error", "pull_not_before"])
