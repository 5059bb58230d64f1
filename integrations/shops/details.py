"""The store's name and currency, asked once the app has a token (the push needs the currency)."""

import logging

from integrations.shopify.client import AdminClient
from integrations.shopify.errors import ShopifyError
from integrations.shops.models import Shop

logger = logging.getLogger(__name__)

SHOP_DETAILS = """
query ShopDetails {
  shop {
    name
    currencyCode
  }
}
"""


def record_shop_details(*, shop_id: int) -> None:
    """Best effort: a failure is logged and the push asks again when it needs the currency."""
    shop = Shop.objects.get(id=shop_id)
    if not shop.access_token:
        return
    try:
        data = AdminClient(shop=shop.domain, access_token=shop.access_token).execute(SHOP_DETAILS).data["shop"]
    except ShopifyError as exc:
        logger.warning("install.shop_details_failed", extra={"shop_id": shop_id, "error": type(exc).__name__})
        return
    Shop.objects.filter(id=shop_id).update(name=data["name"], currency=data["currencyCode"])
