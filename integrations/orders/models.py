"""The push domain's records: where orders come from, and what happened to each one.

The database is the source of truth for every order's state; Celery messages only wake workers up.
A lost message (Redis restarted, worker killed) is found again by the sweeper from these rows.
"""

from django.db import models

from integrations.shops.fields import EncryptedJSONField, EncryptedTextField
from integrations.shops.models import Shop


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
    api_key = EncryptedTextField(blank=True)
    currency = models.CharField(max_length=3, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    stopped_reason = models.TextField(blank=True)
    cursor = models.CharField(max_length=255, blank=True, help_text="BackerKit pull cursor (orders since).")
    last_pulled_at = models.DateTimeField(null=True, blank=True)
    # The pull's own trouble (services/pull.py): BackerKit throttled it or did not answer. No pull
    # before ``pull_not_before``; ``pull_failures`` in a row set the backoff; the error in words.
    pull_not_before = models.DateTimeField(null=True, blank=True)
    pull_failures = models.PositiveIntegerField(default=0)
    last_pull_error = models.TextField(blank=True)
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
