"""The choices of a store's push settings, defined once: the ``Shop`` model's fields store them and
the pure mapping (integrations/orders/mapping.py) acts on them, so the two can never disagree.

``InventoryBehaviour`` values are Shopify's own ``OrderCreateInputsInventoryBehavior`` enum values
(sent as they are in ``orderCreate``'s options).
"""

from django.db import models


class TaxMode(models.TextChoices):
    ONE_LINE_ITEM = "one_line_item", "All taxes as one line item"
    TAX_LINES = "tax_lines", "Shopify tax lines"


class InventoryBehaviour(models.TextChoices):
    BYPASS = "BYPASS", "Don't change inventory"
    DECREMENT_IGNORING_POLICY = "DECREMENT_IGNORING_POLICY", "Decrease inventory, even below zero"
    DECREMENT_OBEYING_POLICY = "DECREMENT_OBEYING_POLICY", "Decrease inventory, following each product's policy"
