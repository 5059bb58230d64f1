"""The store settings a merchant may change (never transaction data: a Success rep's, audited in
shopapp/staff/services.py), and dismissing the setup guide."""

import logging

from django.db import transaction

from integrations.shops.models import Shop

logger = logging.getLogger(__name__)

MERCHANT_SETTINGS = (
    "auto_push",
    "tax_mode",
    "inventory_behaviour",
    "send_receipt",
    "send_fulfillment_receipt",
    "push_road",
)


def save_settings(*, shop_id: int, values: dict) -> list[str]:
    """Save the settings a merchant may change. Returns the changed names."""
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
    logger.info("shop_settings.saved", extra={"shop_id": shop_id, "changed": changed})
    return changed


def dismiss_setup_guide(*, shop_id: int) -> None:
    Shop.objects.filter(id=shop_id).update(setup_guide_dismissed=True)
