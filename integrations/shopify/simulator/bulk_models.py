"""What the simulated bulk import holds: staged uploads, bulk operations, the runner's settings
and the faults armed on it (one ``BulkRegistry`` per simulator, reset with it).

Shopify's bulk import: https://shopify.dev/docs/api/usage/bulk-operations/imports
"""

import threading
from dataclasses import dataclass, field
from typing import Any

# The statuses of BulkOperationStatus (2026-07 schema); the terminal ones end a runner.
TERMINAL = frozenset({"COMPLETED", "FAILED", "CANCELED", "EXPIRED"})
# At most this many bulk mutation operations run at once per shop from API 2026-01 (one before).
MAX_RUNNING = 5
MAX_RUNNING_BEFORE_2026_01 = 1
# The JSONL file of variables may hold up to 100 MB (changelog "Faster bulk operations").
MAX_FILE_BYTES = 100 * 1024 * 1024


@dataclass
class StagedUpload:
    key: str
    shop: str
    policy: str
    signature: str
    data: bytes | None = None  # None until uploaded
    uploads: int = 0


@dataclass
class BulkSettings:
    """The runner of one shop: Shopify publishes no throughput figure, so these are assumptions."""

    lines_per_second: float = 50.0
    start_delay_seconds: float = 1.0
    window: int = 8  # lines in flight at once: results come back out of order within a window
    # Development and trial stores create at most 5 orders a minute (orderCreate's description).
    # Whether that holds inside a bulk operation is not documented: True, each line counts against
    # it and a line over it fails as a call would (THROTTLED); False, bulk lines are not limited.
    dev_store_limit_in_bulk: bool = True


@dataclass
class BulkFaults:
    fail_after_lines: int | None = None  # FAILED (INTERNAL_SERVER_ERROR) after N lines, partialDataUrl
    cancel_after_lines: int | None = None  # CANCELED after N lines (as bulkOperationCancel would)
    lose_finish_webhooks: int = 0  # the next N finish webhooks are never sent
    results_5xx: int = 0  # the next N GETs of a results file answer 503
    refuse_with: str | None = None  # next runs answer this userError code (INVALID_MUTATION, LIMIT_REACHED...)
    refuse_times: int = 0
    access_denied_times: int = 0  # next runs answer a top-level ACCESS_DENIED error
    line_error_for: list[str] = field(default_factory=list)  # source ids whose line gets a top-level error

    def as_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class BulkOperation:
    number: int
    shop: str
    mutation: str
    staged_key: str
    checksum: str
    client_identifier: str | None
    api_version: str
    token_value: str
    created_at: str
    status: str = "CREATED"
    error_code: str | None = None
    completed_at: str | None = None
    object_count: int = 0
    lines_total: int = 0
    results: list[str] = field(default_factory=list)  # JSONL lines, in completion order
    result_bytes: int = 0
    url: str | None = None
    partial_data_url: str | None = None
    cancel_requested: bool = False
    # The file's bytes last found to match ``checksum`` (bytes never change in place: a new upload
    # is a new object): the runner hashes the file again only when it was replaced, not every line.
    checked_data: bytes | None = field(default=None, repr=False)

    @property
    def gid(self) -> str:
        return f"gid://shopify/BulkOperation/{self.number}"


class BulkRegistry:
    """Every shop's staged uploads and bulk operations (guarded by the simulator's state lock)."""

    def __init__(self) -> None:
        self.uploads: dict[str, StagedUpload] = {}
        self.operations: dict[int, BulkOperation] = {}
        self.settings: dict[str, BulkSettings] = {}
        self.faults: dict[str, BulkFaults] = {}
        self.threads: list[threading.Thread] = []
        self.generation = 0  # bumped on reset: runners of a previous generation stop

    def settings_for(self, shop: str) -> BulkSettings:
        return self.settings.setdefault(shop, BulkSettings())

    def faults_for(self, shop: str) -> BulkFaults:
        return self.faults.setdefault(shop, BulkFaults())

    def running(self, shop: str) -> list[BulkOperation]:
        return [op for op in self.operations.values() if op.shop == shop and op.status not in TERMINAL]

    def of_shop(self, shop: str) -> list[BulkOperation]:
        return [op for op in self.operations.values() if op.shop == shop]
