"""Writes of the shell's own records for the merchant's pages: a request to a Success rep to turn
transaction data off (only a rep may change it; the rep's console lists the open requests)."""

import logging

from django.db import transaction

from shopapp.models import TransactionDataRequest

logger = logging.getLogger(__name__)

MESSAGE_MAX_LENGTH = 2000


@transaction.atomic
def request_transaction_data_off(*, shop_id: int, message: str, requested_by: str) -> TransactionDataRequest:
    """One open request per store: asking again updates the open one's message."""
    message = (message or "").strip()[:MESSAGE_MAX_LENGTH]
    if not message:
        raise ValueError("A request needs a message for the Success rep.")
    request = TransactionDataRequest.objects.select_for_update().filter(shop_id=shop_id, closed_at__isnull=True).first()
    if request is None:
        request = TransactionDataRequest.objects.create(shop_id=shop_id, message=message, requested_by=requested_by)
    else:
        request.message = message
        request.save(update_fields=["message"])
    logger.info("transaction_data_request.sent", extra={"shop_id": shop_id, "request_id": request.id})
    return request
