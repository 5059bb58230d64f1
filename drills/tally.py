"""After a drill: each order it fed in, against the orders the Shopify simulator holds and the
app's push records.

- pushed once: in Shopify exactly once, and the record says pushed;
- duplicated: in Shopify more than once;
- lost: not in Shopify and no final record with a reason (no record, still pending or paused,
  pushed without being in Shopify), or in Shopify while the record says it is not;
- needing attention: not in Shopify, the record final (needs attention / failed) with its reason.
Orders in Shopify that the drill never fed in (or that had to be refused) are counted apart.
"""

import re
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count

from harness.simulator_control import SimulatorControl
from integrations.orders.models import PushAttempt, PushRecord

State = PushRecord.State
EXAMPLES = 5


@dataclass
class Tally:
    expected: int = 0
    pushed_once: int = 0
    duplicated: int = 0
    lost: int = 0
    attention: int = 0
    unexpected: int = 0  # orders in Shopify that should not be there
    reasons: Counter = field(default_factory=Counter)  # needing attention, by reason
    refused: int | None = None  # hostile inputs refused with a reason naming order and field
    refusals_expected: int | None = None
    refusals_by_kind: dict[str, tuple[int, int]] = field(default_factory=dict)  # kind -> (refused right, of)
    refusal_reasons: Counter = field(default_factory=Counter)  # the reasons given, grouped
    problems: list[str] = field(default_factory=list)  # examples of what went wrong
    notes: list[str] = field(default_factory=list)  # what the fault did (evidence it struck)

    def problem(self, text: str) -> None:
        self.problems.append(text)

    @property
    def ok(self) -> bool:
        return (
            self.duplicated == 0
            and self.lost == 0
            and self.unexpected == 0
            and (self.refused is None or self.refused == self.refusals_expected)
        )


def shopify_orders_by_source(sim: SimulatorControl, domain: str) -> dict[str, list[dict]]:
    by_source: dict[str, list[dict]] = {}
    for order in sim.orders(domain):
        by_source.setdefault(order.get("source_identifier") or "", []).append(order)
    return by_source


def count_orders(
    sim: SimulatorControl, domain: str, order_ids: list[str], *, may_exist: frozenset[str] = frozenset()
) -> Tally:
    """``order_ids``: the orders that must be in Shopify once or have their reason. ``may_exist``:
    other orders the drill does not count (none but these and ``order_ids`` may be in Shopify)."""
    in_shopify = shopify_orders_by_source(sim, domain)
    records = {
        key: (state, error)
        for key, state, error in PushRecord.objects.filter(shop__domain=domain).values_list(
            "backerkit_order_id", "state", "last_error"
        )
    }
    tally = Tally(expected=len(order_ids))
    for order_id in order_ids:
        copies = len(in_shopify.get(order_id, []))
        state, error = records.get(order_id, (None, ""))
        if copies > 1:
            tally.duplicated += 1
            _example(tally, f"{order_id}: created {copies} times in Shopify")
        elif copies == 1 and state == State.PUSHED:
            tally.pushed_once += 1
        elif copies == 1:
            tally.lost += 1
            _example(tally, f"{order_id}: in Shopify, but its record says {state or 'nothing (no record)'}")
        elif state in (State.NEEDS_ATTENTION, State.FAILED) and error:
            tally.attention += 1
            tally.reasons[reason_group(error, order_id)] += 1
        else:
            tally.lost += 1
            _example(tally, f"{order_id}: not in Shopify; record {state or 'missing'} {error[:120]!r}")
    known = set(order_ids) | set(may_exist)
    for source, orders in in_shopify.items():
        if source not in known:
            tally.unexpected += len(orders)
            _example(tally, f"{source[:80]!r}: in Shopify ({len(orders)}x) but never expected there")
    return tally


def _example(tally: Tally, text: str) -> None:
    if len(tally.problems) < EXAMPLES:
        tally.problem(text)


def reason_group(error: str, order_id: str = "") -> str:
    """A reason without what is particular to one order (its id, amounts), to group by."""
    text = error.replace(order_id, "<order>") if order_id else error
    text = re.sub(r"\d+(\.\d+)?", "#", text)
    text = " ".join(text.split())
    return text if len(text) <= 140 else text[:139] + "…"


def attempt_outcomes(domain: str) -> dict[str, int]:
    """Push attempts of the shop by outcome (created, found_existing, ambiguous, transient...)."""
    rows = PushAttempt.objects.filter(record__shop__domain=domain).values_list("outcome").annotate(n=Count("id"))
    return dict(rows)


def reclaimed_records(domain: str) -> int:
    """Records claimed more than once (their first lane died, or their first answer was lost)."""
    return PushRecord.objects.filter(shop__domain=domain, attempts__gt=1).count()
