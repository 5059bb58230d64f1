"""What a resolver knows about the request it serves."""

from dataclasses import dataclass, field

from integrations.shopify.simulator.models import AccessToken, Shop
from integrations.shopify.simulator.state import SimulatorState


@dataclass
class ExecutionContext:
    state: SimulatorState
    shop: Shop
    token: AccessToken
    api_version: str
    # A line of a bulk operation (bulk_runner.py), not a call.
    in_bulk: bool = False
    # Set by resolvers: orders created by this request, and a Retry-After for a throttled one.
    created_orders: list[int] = field(default_factory=list)
    retry_after: float | None = None
    # Variant ids a productVariants query answered with (the faults act on them after execution).
    variants_returned: list[int] = field(default_factory=list)
    # Orders this request changed after their creation (update, edit, payment, refund, cancel).
    changed_orders: list[int] = field(default_factory=list)
    # Root mutations this request executed (faults.py's ``lose_answer_after`` acts on them).
    executed_mutations: list[str] = field(default_factory=list)
