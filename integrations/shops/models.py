"""The shops that installed the app: their connection state, encrypted tokens and per-store settings."""

from django.db import models

from integrations.shops.choices import InventoryBehaviour, TaxMode
from integrations.shops.fields import EncryptedTextField


class Shop(models.Model):
    class Status(models.TextChoices):
        CONNECTED = "connected", "Connected"
        DISCONNECTED = "disconnected", "Disconnected"
        UNINSTALLED = "uninstalled", "Uninstalled"

    class TokenKind(models.TextChoices):
        EXPIRING = "expiring", "Expiring offline token"
        LEGACY = "legacy", "Non-expiring offline token (public app, to migrate)"
        CUSTOM_APP = "custom_app", "Custom app token (non-expiring by design)"

    class DisconnectCause(models.TextChoices):
        NONE = "", "Connected"
        TOKEN_REFUSED = "token_refused", "Shopify refused the access token"
        REFRESH_REFUSED = "refresh_refused", "Shopify refused to renew the access token"
        MIGRATION_REFUSED = "migration_refused", "Shopify refused to replace the non-expiring token"
        SCOPES_REDUCED = "scopes_reduced", "The app's access was reduced"

    class PushRoad(models.TextChoices):
        AUTO = "auto", "Automatic (bulk operations join in for large pushes)"
        CALLS = "calls", "One call per order only"
        BULK = "bulk", "Bulk operations preferred"

    # One definition with the mapping's (integrations/shops/choices.py).
    TaxMode = TaxMode
    InventoryBehaviour = InventoryBehaviour

    class PushHold(models.TextChoices):
        """Why the app holds the shop's push by itself (not a rep's pause, not a disconnect)."""

        NONE = "", "Pushing"
        FROZEN = "frozen", "Shopify froze the store (unpaid bill)"
        LOCKED = "locked", "Shopify locked the store"
        CRASHING = "crashing", "Stopped after repeated unexpected errors"

    domain = models.CharField(max_length=255, unique=True)
    name = models.CharField(max_length=255, blank=True)
    currency = models.CharField(max_length=3, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.CONNECTED)
    disconnected_reason = models.TextField(blank=True)
    disconnected_at = models.DateTimeField(null=True, blank=True)
    disconnect_cause = models.CharField(max_length=32, choices=DisconnectCause.choices, blank=True, default="")

    access_token = EncryptedTextField(blank=True)
    access_token_expires_at = models.DateTimeField(null=True, blank=True)
    refresh_token = EncryptedTextField(blank=True)
    refresh_token_expires_at = models.DateTimeField(null=True, blank=True)
    token_kind = models.CharField(max_length=16, choices=TokenKind.choices, default=TokenKind.EXPIRING)
    # When the stored access token was obtained (install, exchange, refresh, migration): a token
    # refused moments after it was issued is not refreshed again (refresh once, never loop).
    token_obtained_at = models.DateTimeField(null=True, blank=True)
    scopes = models.CharField(max_length=1000, blank=True)

    installed_at = models.DateTimeField(null=True, blank=True)
    uninstalled_at = models.DateTimeField(null=True, blank=True)

    # Per-store settings. Transaction data is switched by Success reps only (staff console, audited).
    include_transaction_data = models.BooleanField(default=True)
    tax_mode = models.CharField(max_length=16, choices=TaxMode.choices, default=TaxMode.ONE_LINE_ITEM)
    inventory_behaviour = models.CharField(
        max_length=32, choices=InventoryBehaviour.choices, default=InventoryBehaviour.BYPASS
    )
    send_receipt = models.BooleanField(default=False)
    send_fulfillment_receipt = models.BooleanField(default=False)
    auto_push = models.BooleanField(default=True)
    pushes_paused = models.BooleanField(default=False, help_text="Paused by a Success rep.")
    setup_guide_dismissed = models.BooleanField(default=False)
    # When the merchant last pressed Push or Retry: until the lanes' first attempt lands, that is
    # how the pages know a push is running (waiting orders alone are not a push).
    push_requested_at = models.DateTimeField(null=True, blank=True)

    # The push's own hold of the shop (integrations/orders/services/holds.py): frozen or locked by
    # Shopify (a periodic check resumes it), or stopped after repeated lane crashes (a rep resumes).
    # The reason is written for the merchant, who sees it on every page, as the staff console does.
    push_hold = models.CharField(max_length=16, choices=PushHold.choices, blank=True, default="")
    push_hold_reason = models.TextField(blank=True)
    push_held_at = models.DateTimeField(null=True, blank=True)
    # Lane crashes in a row (errors about the shop, not one order), and when lanes may try again.
    push_crashes = models.PositiveIntegerField(default=0)
    push_backoff_until = models.DateTimeField(null=True, blank=True)

    # Which roads push the shop's orders (integrations/orders/services/bulk_road.py): auto (bulk joins
    # the calls above a few hundred pending orders), calls only, or bulk preferred. A refusal of the
    # bulk road by Shopify is remembered (the shop pushes by calls alone; the staff console shows it).
    # "auto" by default since the road met its targets on Standard (issue #16, README "Past the bucket").
    push_road = models.CharField(max_length=8, choices=PushRoad.choices, default=PushRoad.AUTO)
    bulk_refused_reason = models.TextField(blank=True)
    bulk_refused_at = models.DateTimeField(null=True, blank=True)
    # Measured on the shop's finished bulk operations (None until the first one finished).
    bulk_lines_per_second = models.FloatField(null=True, blank=True)
    bulk_start_seconds = models.FloatField(null=True, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        # The table keeps the name it had when the model lived in shopapp (migrations: shops 0001).
        db_table = "shopapp_shop"
        ordering = ["domain"]

    def __str__(self) -> str:
        return self.domain

    @property
    def is_connected(self) -> bool:
        return self.status == self.Status.CONNECTED and bool(self.access_token)

    @property
    def scope_set(self) -> frozenset[str]:
        return frozenset(s.strip() for s in self.scopes.split(",") if s.strip())
