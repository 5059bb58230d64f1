"""The push domain's answers to what the shop connection announces (``integrations/shops/signals.py``):
a shop connected again resumes its paused work, an uninstalled shop pauses what was pending."""

from integrations.orders import tasks
from integrations.shops.signals import shop_connected, shop_uninstalled


def _resume_on_connect(sender, *, shop_id: int, **kwargs) -> None:
    tasks.resume_paused_pushes.delay(shop_id)


def _pause_on_uninstall(sender, *, shop_id: int, reason: str = "", **kwargs) -> None:
    tasks.pause_shop_pushes.delay(shop_id, reason)


def connect() -> None:
    shop_connected.connect(_resume_on_connect, dispatch_uid="orders.resume_on_connect")
    shop_uninstalled.connect(_pause_on_uninstall, dispatch_uid="orders.pause_on_uninstall")
