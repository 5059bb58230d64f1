"""The push domain's records: where orders come from, and what happened to each one.

The database is the source of truth for every order's state; Celery messages only wake workers up.
A lost message (Redis restarted, worker killed) is found again by the sweeper from these rows.
"""

from django.db import models

from integrations.shops.fields import EncryptedJSONField, EncryptedTextField
from integrations.shops.models import Shop


class ShipmentPause(models.TextChoices):
    """Why a connection's shipments wait (BackerKitConnection.shipments_pause_reason)."""

    NONE = "", "Not paused"
    DOWN = "down", "BackerKit is not answering"
    THROTTLED = "throttled", "BackerKit asked us to slow down"


class BackerKitConnection(models.Model):
    class Kind(models.TextChoices):
        API = "api", "BackerKit API"
        FILE_IMPORT = "file_import", "File import"

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        STOPPED = "stopped", "Stopped"
        # BackerKit refused the key (401/403) or has no such project (404): no pull until the key
        # is fixed (a new key, or a connection test that passes).
        REFUSED = "refused", "Refused by BackerKit"

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="backerkit_connections")
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.API)
    store_name = models.CharField(max_length=255, help_text="The connected store name, tagged on every order.")
    project = models.CharField(max_length=255, blank=True)
    # Where this connection's BackerKit API is ("": settings.BACKERKIT_API_URL). Set only by a rep's
    # command (connect_backerkit --api-url), never from the pages.
    api_url = models.CharField(max_length=255, blank=True, default="")
    api_key = EncryptedTextField(blank=True)
    currency = models.CharField(max_length=3, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    stopped_reason = models.TextField(blank=True)
    cursor = models.CharField(max_length=255, blank=True, help_text="BackerKit pull cursor (orders since).")
    change_cursor = models.CharField(max_length=255, blank=True, help_text="BackerKit change feed cursor.")
    last_pulled_at = models.DateTimeField(null=True, blank=True)
    # The pull's own trouble (services/pull.py): BackerKit throttled it or did not answer. No pull
    # before ``pull_not_before``; ``pull_failures`` in a row set the backoff; the error in words.
    pull_not_before = models.DateTimeField(null=True, blank=True)
    pull_failures = models.PositiveIntegerField(default=0)
    last_pull_error = models.TextField(blank=True)
    # The shipments outbox's pause (services/shipment_pause.py): BackerKit did not answer a write
    # (5xx, timeout, down) or throttled it (429). While paused no event of the connection is sent
    # and none spends an attempt; one probe (the oldest waiting event) is tried at
    # ``shipments_paused_until``, and when it goes through every waiting event is sent, paced.
    shipments_paused_until = models.DateTimeField(null=True, blank=True)
    shipments_paused_since = models.DateTimeField(null=True, blank=True)
    shipments_pause_reason = models.CharField(max_length=16, choices=ShipmentPause.choices, blank=True, default="")
    shipments_failures = models.PositiveIntegerField(default=0, help_text="Failed probes in a row (the backoff).")
    # The paced send after a pause (or of events whose message was lost): only the drain holding
    # this token goes on; ``shipments_drained_at`` is its last step (the sweep knows it is alive).
    shipments_drain_token = models.CharField(max_length=32, blank=True, default="")
    shipments_drained_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["shop", "store_name"], name="unique_store_name_per_shop")]
        ordering = ["store_name"]

    def __str__(self) -> str:
        return f"{self.store_name} ({self.shop.domain})"

    @property
    def masked_api_key(self) -> str:
        key = self.api_key or ""
        return f"••••{key[-4:]}" if len(key) > 4 else "••••"


class PushRecord(models.Model):
    """One BackerKit order of one shop: pushed to Shopify at most once, whatever happens."""

    class State(models.TextChoices):
        PENDING = "pending", "Waiting"
        PUSHING = "pushing", "Pushing"
        PUSHED = "pushed", "Pushed"
        NEEDS_ATTENTION = "needs_attention", "Needs attention"
        FAILED = "failed", "Failed"
        PAUSED = "paused", "Paused"

    FINAL_STATES = (State.PUSHED, State.NEEDS_ATTENTION, State.FAILED)

    class Road(models.TextChoices):
        CALLS = "", "One call per order"
        BULK = "bulk", "Bulk operation"

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="push_records")
    connection = models.ForeignKey(BackerKitConnection, on_delete=models.CASCADE, related_name="push_records")
    backerkit_order_id = models.CharField(max_length=255)
    backer_id = models.CharField(max_length=255, blank=True, db_index=True)
    # HMAC of the lower-cased email: finds a customer's records (privacy requests) without storing it.
    customer_digest = models.CharField(max_length=64, blank=True, db_index=True)
    last_import = models.ForeignKey("ImportRun", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    state = models.CharField(max_length=16, choices=State.choices, default=State.PENDING)

    # The validated BackerKit order (personal data: encrypted, purged after the retention period).
    order_data = EncryptedJSONField(null=True, blank=True)
    # Exactly what was sent to Shopify (orderCreate variables); personal, encrypted, purged likewise.
    sent_input = EncryptedJSONField(null=True, blank=True)
    # The Shopify unit price of each SKU when the order was sent ({sku: "45.00"}): line items are
    # priced by Shopify (no priceSet), so the detail page stays true after the catalogue changes.
    variant_prices = models.JSONField(null=True, blank=True)
    personal_data_purged_at = models.DateTimeField(null=True, blank=True)
    # Refused by validation: only a corrected re-import (or pull) can change it, never a retry.
    invalid_input = models.BooleanField(default=False)
    # The contract ``order_data`` passed validation under, at import ("" for refused orders and rows
    # older than this field): the push rebuilds such an order without validating it again.
    validated_contract = models.CharField(max_length=16, blank=True, default="")
    # What Shopify holds of the order now, as far as this app wrote it: the fingerprint of the synced
    # view of ``order_data`` (services/changes/fingerprint.py; set at push and at each applied change),
    # the BackerKit ``updated_at`` of that version (None: the file had none), and Shopify's
    # ``updatedAt`` after our last write (a later one means the merchant edited the order).
    synced_fingerprint = models.CharField(max_length=64, blank=True, default="")
    synced_updated_at = models.DateTimeField(null=True, blank=True)
    synced_store_name = models.CharField(max_length=255, blank=True, default="")
    shopify_updated_at = models.CharField(max_length=40, blank=True, default="")

    currency = models.CharField(max_length=3, blank=True)
    # Exact in every ISO 4217 currency: up to 4 decimal places (JPY 0, USD 2, KWD 3, CLF 4), twelve
    # digits before the point (integrations/backerkit/orders.py MAX_AMOUNT).
    amount_paid = models.DecimalField(max_digits=16, decimal_places=4, null=True, blank=True)
    shopify_total = models.DecimalField(max_digits=16, decimal_places=4, null=True, blank=True)
    expected_financial_status = models.CharField(max_length=32, blank=True)
    explanation = models.TextField(blank=True, help_text="Why the order is Paid or Partially Paid.")

    attempts = models.PositiveIntegerField(default=0)
    not_before = models.DateTimeField(null=True, blank=True, help_text="Wait until then (throttled, search lag).")
    claimed_at = models.DateTimeField(null=True, blank=True)
    claim_token = models.CharField(max_length=32, blank=True, help_text="Which lane holds the record now.")
    last_sent_at = models.DateTimeField(
        null=True, blank=True, help_text="Set before each orderCreate is sent; cleared when its outcome is known."
    )

    # The bulk road (services/bulk_road.py): the bulk operation the record was claimed for (kept
    # afterwards, for the order detail), its line in the operation's file, and which road pushed it.
    bulk_operation = models.ForeignKey(
        "BulkOperation", null=True, blank=True, on_delete=models.SET_NULL, related_name="records"
    )
    bulk_line = models.PositiveIntegerField(null=True, blank=True)
    road = models.CharField(max_length=8, choices=Road.choices, blank=True, default="")

    shopify_order_id = models.CharField(max_length=255, blank=True)
    shopify_order_name = models.CharField(max_length=64, blank=True)
    financial_status = models.CharField(max_length=32, blank=True, db_index=True)
    last_error = models.TextField(blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    pushed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["shop", "backerkit_order_id"], name="one_push_record_per_backerkit_order")
        ]
        indexes = [
            models.Index(fields=["shop", "state", "id"], name="push_shop_state_idx"),
            models.Index(fields=["shop", "-updated_at"], name="push_shop_updated_idx"),
            models.Index(fields=["state", "claimed_at"], name="push_state_claimed_idx"),
            # The merchant's orders page: filters and exact searches on 100k-order shops.
            models.Index(fields=["shop", "financial_status", "id"], name="push_shop_fin_status_idx"),
            models.Index(fields=["shop", "shopify_order_name"], name="push_shop_order_name_idx"),
            models.Index(fields=["shop", "backer_id"], name="push_shop_backer_idx"),
            models.Index(fields=["shop", "pushed_at"], name="push_shop_pushed_at_idx"),
            # A fulfilment webhook finds its order (or learns cheaply it is not one of ours).
            models.Index(fields=["shop", "shopify_order_id"], name="push_shop_shopify_order_idx"),
            models.Index(fields=["bulk_operation", "bulk_line"], name="push_bulk_line_idx"),
        ]
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.backerkit_order_id} ({self.state})"


class PushAttempt(models.Model):
    """One try at one record: what happened and why (the order detail page lists them)."""

    class Outcome(models.TextChoices):
        CREATED = "created", "Created in Shopify"
        FOUND_EXISTING = "found_existing", "Found already in Shopify"
        NEEDS_ATTENTION = "needs_attention", "Needs attention"
        USER_ERRORS = "user_errors", "Refused by Shopify"
        THROTTLED = "throttled", "Throttled (waited)"
        TRANSIENT = "transient", "Temporary Shopify error"
        AMBIGUOUS = "ambiguous", "No answer after sending"
        UNAUTHORIZED = "unauthorized", "Access token refused"
        INVALID = "invalid", "Invalid order"
        SHOP_UNAVAILABLE = "shop_unavailable", "Store frozen or locked by Shopify"
        UNEXPECTED = "unexpected", "Unexpected error"

    record = models.ForeignKey(PushRecord, on_delete=models.CASCADE, related_name="push_attempts")
    outcome = models.CharField(max_length=32, choices=Outcome.choices)
    detail = models.TextField(blank=True)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["started_at"]


class ImportRun(models.Model):
    """One import of a file or one pull from BackerKit: what came in and how it was taken."""

    class Source(models.TextChoices):
        FILE = "file", "File"
        PULL = "pull", "BackerKit pull"

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="import_runs")
    connection = models.ForeignKey(BackerKitConnection, on_delete=models.CASCADE, related_name="import_runs")
    source = models.CharField(max_length=8, choices=Source.choices)
    label = models.CharField(max_length=255, blank=True, help_text="File name or cursor.")
    received = models.PositiveIntegerField(default=0)
    accepted = models.PositiveIntegerField(default=0)
    refused = models.PositiveIntegerField(default=0)
    already_known = models.PositiveIntegerField(default=0)
    # Newer versions of orders already pushed: each became an OrderChange.
    changes = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]


class PullRun(models.Model):
    """One pull of a connection's locked orders that a merchant asked for (Add connection, Fetch):
    queued in the request, run by a task, its progress and result shown on the connection page.
    The scheduled pulls (beat) keep only their ImportRuns and the connection's ``last_pulled_at``."""

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        FINISHED = "finished", "Finished"
        FAILED = "failed", "Failed"

    class Problem(models.TextChoices):
        KEY_REFUSED = "key_refused", "BackerKit refused the API key"
        PROJECT_NOT_FOUND = "project_not_found", "BackerKit has no such project"
        BACKERKIT_UNAVAILABLE = "backerkit_unavailable", "BackerKit did not answer"
        BACKERKIT_REFUSED = "backerkit_refused", "BackerKit refused the request"
        CONNECTION_STOPPED = "connection_stopped", "The connection is stopped"
        ABANDONED = "abandoned", "The pull stopped without finishing"
        UNEXPECTED = "unexpected", "Unexpected error"

    ACTIVE_STATES = (State.QUEUED, State.RUNNING)
    # Not stored: set by services/pull_runs.run_pull when BackerKit asked to wait (the task comes back then).
    retry_in: float | None = None

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="pull_runs")
    connection = models.ForeignKey(BackerKitConnection, on_delete=models.CASCADE, related_name="pull_runs")
    state = models.CharField(max_length=16, choices=State.choices, default=State.QUEUED)
    start_push = models.BooleanField(default=False, help_text="Push what comes in (a merchant's fetch previews first).")
    pages = models.PositiveIntegerField(default=0)
    received = models.PositiveIntegerField(default=0)
    accepted = models.PositiveIntegerField(default=0)
    refused = models.PositiveIntegerField(default=0)
    problem = models.CharField(max_length=32, choices=Problem.choices, blank=True)
    error_id = models.CharField(max_length=16, blank=True, help_text="Finds the traceback in the log.")
    queued_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["connection", "-id"], name="pull_run_connection_idx")]

    def __str__(self) -> str:
        return f"pull {self.id} of connection {self.connection_id} ({self.state})"

    @property
    def active(self) -> bool:
        return self.state in self.ACTIVE_STATES


class ShipmentEvent(models.Model):
    """The outbox: one version of a Shopify fulfilment (or the order's cancellation) of a pushed
    order, to be sent to BackerKit once. Recorded in the same transaction as the webhook delivery (or
    by the reconciliation), sent by a task (services/shipment_sending.py). A newer version of the
    same fulfilment supersedes one still waiting; the same version twice is one row."""

    class Kind(models.TextChoices):
        SHIPMENT = "shipment", "Shipment"
        CANCELLATION = "cancellation", "Order cancelled"

    class State(models.TextChoices):
        WAITING = "waiting", "Waiting to be sent"
        SENDING = "sending", "Being sent"
        SENT = "sent", "Sent to BackerKit"
        SUPERSEDED = "superseded", "Replaced by a newer version"
        NEEDS_ATTENTION = "needs_attention", "Needs attention"
        FOR_FILE = "for_file", "Kept for the shipments file"  # a file-fed connection: no API to send to

    class Source(models.TextChoices):
        WEBHOOK = "webhook", "Shopify webhook"
        RECONCILIATION = "reconciliation", "Reconciliation"

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="shipment_events")
    record = models.ForeignKey(PushRecord, on_delete=models.CASCADE, related_name="shipment_events")
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.SHIPMENT)
    # Shopify's fulfilment GID ("" for a cancellation): with ``kind``, what BackerKit keeps one of.
    fulfillment_id = models.CharField(max_length=255, blank=True, default="")
    version = models.DateTimeField(help_text="The fulfilment's updatedAt (the order's cancelledAt).")
    body = models.JSONField(help_text="Exactly what is sent (contract: shipment/cancellation.v1).")
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.WEBHOOK)
    state = models.CharField(max_length=16, choices=State.choices, default=State.WAITING)
    # The newest version of its fulfilment (what the order's page shows, what the filters count).
    is_latest = models.BooleanField(default=True)
    attempts = models.PositiveIntegerField(default=0)
    not_before = models.DateTimeField(null=True, blank=True, help_text="Not sent before (429, backoff).")
    last_error = models.TextField(blank=True)
    result = models.CharField(max_length=16, blank=True, help_text="BackerKit's answer (created, replaced...).")
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["shop", "kind", "fulfillment_id", "version"], name="one_shipment_event_per_version"
            )
        ]
        indexes = [
            models.Index(fields=["shop", "state", "id"], name="shipment_shop_state_idx"),
            models.Index(fields=["record", "is_latest", "kind"], name="shipment_record_latest_idx"),
            models.Index(fields=["state", "not_before"], name="shipment_state_due_idx"),
        ]
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.fulfillment_id or ''} of record {self.record_id} ({self.state})"


class FulfilmentSync(models.Model):
    """The reconciliation's place per shop: fulfilments of orders updated after ``synced_until``
    were not read yet (services/reconciliation.py)."""

    shop = models.OneToOneField(Shop, on_delete=models.CASCADE, related_name="fulfilment_sync")
    synced_until = models.DateTimeField(null=True, blank=True)
    last_run_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    orders_read = models.PositiveIntegerField(default=0, help_text="Orders read by the last run.")
    points_spent = models.PositiveIntegerField(default=0, help_text="Shopify cost points of the last run.")
    found = models.PositiveIntegerField(default=0, help_text="Versions the last run recorded (webhooks missed).")


class OrderChange(models.Model):
    """One newer BackerKit version of a pushed order, and what became of it in Shopify.

    Versioned per record (1, 2, ...). At most one change of a record is open (not final) at a time:
    a newer version arriving while one waits supersedes it (final, with the reason). The versions
    already seen (``fingerprint``) are how a re-imported old file changes nothing.
    """

    class Kind(models.TextChoices):
        ADDRESS = "address", "Address and contact"
        TAGS = "tags", "Tags and attributes"
        ITEMS = "items", "Items"
        MONEY = "money", "Money"
        CANCEL = "cancel", "Cancellation"

    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        AWAITING_APPROVAL = "awaiting_approval", "Waiting for the merchant's approval"
        APPLYING = "applying", "Applying"
        APPLIED = "applied", "Applied"
        NEEDS_ATTENTION = "needs_attention", "Needs attention"
        CONFLICT = "conflict", "Conflict"
        DISMISSED = "dismissed", "Dismissed"
        SUPERSEDED = "superseded", "Replaced by a newer version"

    OPEN_STATES = (State.PENDING, State.AWAITING_APPROVAL, State.APPLYING, State.NEEDS_ATTENTION, State.CONFLICT)
    # Final for a command waiting on it: nothing more happens without the merchant.
    SETTLED_STATES = (State.APPLIED, State.NEEDS_ATTENTION, State.CONFLICT, State.DISMISSED, State.SUPERSEDED,
                      State.AWAITING_APPROVAL)  # fmt: skip

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="order_changes")
    record = models.ForeignKey(PushRecord, on_delete=models.CASCADE, related_name="changes")
    version = models.PositiveIntegerField()
    import_run = models.ForeignKey(ImportRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    kinds = models.JSONField(default=list, help_text="Kind codes, e.g. ['address', 'items'].")
    # Which fields changed, by name only (never their values): safe for logs and reports.
    fields = models.JSONField(default=list)
    # Old -> new of each changed field (personal: encrypted, purged with the record's order data).
    diff = EncryptedJSONField(null=True, blank=True)
    # The newer validated BackerKit order (known fields only; personal, encrypted).
    order_data = EncryptedJSONField(null=True, blank=True)
    fingerprint = models.CharField(max_length=64)
    # The fingerprint of what Shopify had when the change came (the versions seen before it).
    base_fingerprint = models.CharField(max_length=64, blank=True, default="")
    source_updated_at = models.DateTimeField(null=True, blank=True)
    store_name = models.CharField(max_length=255, blank=True, help_text="The connected store name it came with.")
    sent_by = models.CharField(max_length=255, blank=True, help_text="Who or what sent it: a file, a pull.")

    state = models.CharField(max_length=20, choices=State.choices, default=State.PENDING)
    reason = models.TextField(blank=True, help_text="Why it needs attention, conflicts, or was not applied.")
    # A conflict: the field names with our value and Shopify's (personal: encrypted).
    conflict = EncryptedJSONField(null=True, blank=True)
    # The guards the merchant chose to override ("Apply anyway"): fulfilment, conflict.
    overrides = models.JSONField(default=list, blank=True)
    resolution = models.CharField(max_length=255, blank=True, help_text="How a conflict or attention ended.")

    attempts = models.PositiveIntegerField(default=0)
    not_before = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    claim_token = models.CharField(max_length=32, blank=True)
    last_sent_at = models.DateTimeField(null=True, blank=True, help_text="Set before a write is sent.")
    # What the apply wrote, step by step (an order edit is several calls): names of steps done.
    steps_done = models.JSONField(default=list, blank=True)
    explanation = models.TextField(blank=True, help_text="Paid / Partially Paid, recomputed after an items change.")

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    applied_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["record", "version"], name="one_change_per_version")]
        indexes = [
            models.Index(fields=["shop", "state", "id"], name="change_shop_state_idx"),
            models.Index(fields=["state", "claimed_at"], name="change_state_claimed_idx"),
            models.Index(fields=["record", "-version"], name="change_record_version_idx"),
        ]
        ordering = ["id"]

    def __str__(self) -> str:
        return f"change {self.version} of {self.record_id} ({self.state})"

    @property
    def is_open(self) -> bool:
        return self.state in self.OPEN_STATES


class ChangeAttempt(models.Model):
    """One try at applying one change (like a push attempt)."""

    class Outcome(models.TextChoices):
        APPLIED = "applied", "Applied in Shopify"
        FOUND_APPLIED = "found_applied", "Found already applied in Shopify"
        NEEDS_ATTENTION = "needs_attention", "Needs attention"
        CONFLICT = "conflict", "Edited in Shopify since our last write"
        USER_ERRORS = "user_errors", "Refused by Shopify"
        THROTTLED = "throttled", "Throttled (waited)"
        TRANSIENT = "transient", "Temporary Shopify error"
        AMBIGUOUS = "ambiguous", "No answer after sending"
        UNAUTHORIZED = "unauthorized", "Access token refused"
        SHOP_UNAVAILABLE = "shop_unavailable", "Store frozen or locked by Shopify"
        UNEXPECTED = "unexpected", "Unexpected error"

    change = models.ForeignKey(OrderChange, on_delete=models.CASCADE, related_name="change_attempts")
    outcome = models.CharField(max_length=32, choices=Outcome.choices)
    detail = models.TextField(blank=True)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["started_at", "id"]


class ChangeSettings(models.Model):
    """Which kinds of change a shop applies by itself; the others wait for the merchant's approval."""

    shop = models.OneToOneField(Shop, on_delete=models.CASCADE, related_name="change_settings")
    auto_address = models.BooleanField(default=True, help_text="Address and contact, tags and attributes.")
    auto_items = models.BooleanField(default=False)
    auto_money = models.BooleanField(default=False)
    auto_cancel = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)


class BulkOperation(models.Model):
    """One chunk of a shop's queue sent through Shopify's bulk import (services/bulk_road.py).

    Stages, in order: CLAIMED (records stamped with it, nothing sent), UPLOADED (the JSONL file is
    on Shopify's storage), RUN_SENT (``bulkOperationRunMutation`` sent: from here its records may
    be in Shopify), RUNNING (Shopify's id known), then RESOLVED (every record written from the
    results or handed back to the lookup) or ABANDONED (never ran: records handed back untouched).
    """

    class Stage(models.TextChoices):
        CLAIMED = "claimed", "Records claimed"
        UPLOADED = "uploaded", "File uploaded"
        RUN_SENT = "run_sent", "Run requested"
        RUNNING = "running", "Running in Shopify"
        RESOLVED = "resolved", "Results written"
        ABANDONED = "abandoned", "Not run"

    ACTIVE_STAGES = (Stage.CLAIMED, Stage.UPLOADED, Stage.RUN_SENT, Stage.RUNNING)

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="bulk_operations")
    stage = models.CharField(max_length=16, choices=Stage.choices, default=Stage.CLAIMED)
    shopify_id = models.CharField(max_length=255, blank=True, db_index=True)
    shopify_status = models.CharField(max_length=16, blank=True)
    error_code = models.CharField(max_length=32, blank=True)
    lines = models.PositiveIntegerField(default=0)
    lines_done = models.PositiveIntegerField(default=0, help_text="Shopify's objectCount, last seen.")
    pushed = models.PositiveIntegerField(default=0)
    attention = models.PositiveIntegerField(default=0)
    handed_back = models.PositiveIntegerField(default=0, help_text="Records resolved by lookup instead.")
    problem = models.TextField(blank=True)
    lease_until = models.DateTimeField(null=True, blank=True, help_text="A worker is on it until then.")
    created_at = models.DateTimeField(auto_now_add=True)
    run_sent_at = models.DateTimeField(null=True, blank=True)
    running_seen_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["shop", "stage"], name="bulk_op_shop_stage_idx")]
        ordering = ["id"]

    def __str__(self) -> str:
        return f"bulk {self.id} {self.stage} {self.shopify_id}"

    @property
    def claim_token(self) -> str:
        """The claim token of its records: no lane holds one of these (lanes use hex tokens)."""
        return f"bulk:{self.id}"


from integrations.orders.wave_models import Wave, WaveMember, WaveRelease, WaveSettings  # noqa: E402, F401
