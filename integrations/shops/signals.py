"""What the shop connection tells the floors above it, without knowing them.

The push domain (``integrations/orders/receivers.py``) listens: a shop connected again resumes its
paused work, an uninstalled shop pauses it. Both are sent after the transaction that changed the
shop commits, so a listener never sees a state that was rolled back.
"""

from django.dispatch import Signal

# kwargs: shop_id
shop_connected = Signal()
# kwargs: shop_id, reason (the merchant-readable text shown with the paused work)
shop_uninstalled = Signal()
