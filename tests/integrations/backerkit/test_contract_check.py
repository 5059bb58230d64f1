"""The compiled contract check says yes exactly when jsonschema finds no error (it may never be laxer:
``validate_order`` trusts its yes), on valid orders and on thousands of broken ones."""

import copy
import json
import random
from pathlib import Path

import pytest

from integrations.backerkit.contract_check import compile_check
from integrations.backerkit.orders import _inlined_schema, _validator
from integrations.backerkit.simulator.campaign import generate_campaign

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "backerkit" / "orders"

# Values that break one keyword or another somewhere in the contract (or satisfy it by an edge).
ODD_VALUES = [
    None, True, False, 0, 1, 1.0, 1.5, -1, 10000, 10001, 10000.0, "", " ", "x", "X" * 255, "X" * 256, "x" * 33,
    "x" * 65, "US", "us", "USA", "EUR", "12.50", "-1", "1.1234567", "1e3", "12.50\n", "a@b.c", "a@b", "a b@c.d",
    "\x00", "\ud800", [], [{}], [{"sku": "A", "quantity": 1, "campaign_price": "1.00"}], {}, {"question": "q"},
    {"name": "VAT", "amount": "1.00"}, ["ch_1"], [""], ["x"] * 51, "locked", "canceled", "refunded", "LOCKED",
    "2026-12-01T10:00:00Z",
]  # fmt: skip


def _paths(value, path=()):
    """Every path to a value inside an order (keys of objects, indexes of arrays)."""
    yield path
    if isinstance(value, dict):
        for key, sub in value.items():
            yield from _paths(sub, (*path, key))
    elif isinstance(value, list):
        for index, sub in enumerate(value):
            yield from _paths(sub, (*path, index))


def _mutated(order: dict, rng: random.Random) -> dict:
    broken = copy.deepcopy(order)
    for _ in range(rng.choice([1, 1, 2, 3])):
        paths = [p for p in _paths(broken) if p]
        path = rng.choice(paths)
        parent = broken
        for step in path[:-1]:
            parent = parent[step]
        action = rng.random()
        if action < 0.2 and isinstance(parent, dict):
            del parent[path[-1]]
        elif action < 0.3 and isinstance(parent, dict):
            parent[rng.choice(["note", "survey_answers", "taxes", "stripe_charge_ids", "pledge_id", "extra"])] = (
                rng.choice(ODD_VALUES)
            )
        else:
            parent[path[-1]] = copy.deepcopy(rng.choice(ODD_VALUES))
    return broken


def _orders() -> list[dict]:
    fixtures = [json.loads(path.read_text()) for path in sorted(FIXTURES.glob("*.json"))]
    return fixtures + generate_campaign(backers=60, seed=20, id_prefix="cc")


def test_the_check_agrees_with_jsonschema_on_valid_and_broken_orders():
    check, validator = compile_check(_inlined_schema()), _validator()
    rng = random.Random(20)
    cases = [order for order in _orders()]
    cases += [_mutated(rng.choice(cases), rng) for _ in range(1500)]
    verdicts = {"valid": 0, "invalid": 0}
    for case in cases:
        valid = not any(True for _ in validator.iter_errors(case))
        assert check(case) is valid, json.dumps(case, default=str)[:500]
        verdicts["valid" if valid else "invalid"] += 1
    assert verdicts["valid"] >= 100 and verdicts["invalid"] >= 500  # both sides were exercised


def test_a_keyword_the_check_does_not_know_is_refused_not_ignored():
    schema = copy.deepcopy(_inlined_schema())
    schema["properties"]["email"]["format"] = "email"
    with pytest.raises(ValueError, match="format"):
        compile_check(schema)
