"""Contract v1, after the push: an order's optional ``status`` and ``updated_at``."""

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from integrations.backerkit.orders import InvalidOrder, known_fields, rebuild_validated_order, validate_order

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "backerkit" / "orders"


def raw_order(**extra) -> dict:
    return {**json.loads((FIXTURES / "paid.json").read_text()), **extra}


def test_v1_orders_without_status_nor_updated_at_stay_valid_and_are_locked():
    paths = sorted(FIXTURES.glob("*.json"))
    assert len(paths) >= 10
    for path in paths:
        raw = json.loads(path.read_text())
        assert "status" not in raw and "updated_at" not in raw, path.name  # the v1 files as they were
        order = validate_order(raw)
        assert (order.status, order.updated_at) == ("locked", None)


@pytest.mark.parametrize("status", ["locked", "canceled", "refunded"])
def test_each_status_is_accepted(status):
    assert validate_order(raw_order(status=status)).status == status


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-12-01T12:00:00Z", datetime(2026, 12, 1, 12, tzinfo=UTC)),
        ("2026-12-01T14:00:00.250+02:00", datetime(2026, 12, 1, 12, 0, 0, 250000, tzinfo=UTC)),
        ("2026-12-01t12:00:00z", datetime(2026, 12, 1, 12, tzinfo=UTC)),
    ],
)
def test_updated_at_is_rfc_3339_read_as_utc(value, expected):
    assert validate_order(raw_order(updated_at=value)).updated_at == expected


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"status": "shipped"}, 'status: "shipped" is not one of locked, canceled, refunded'),
        ({"updated_at": "2026-12-01"}, 'updated_at: "2026-12-01" is not an RFC 3339 date-time'),
        ({"updated_at": "2026-12-01T12:00:00"}, "is not an RFC 3339 date-time"),  # no offset: which instant?
        ({"updated_at": "2026-02-30T12:00:00Z"}, 'updated_at: "2026-02-30T12:00:00Z" is not a valid date-time'),
        ({"updated_at": 1764590400}, "updated_at: must be a string, not a number"),
    ],
)
def test_a_bad_status_or_updated_at_is_refused_naming_the_field(extra, message):
    with pytest.raises(InvalidOrder) as refused:
        validate_order(raw_order(**extra))
    assert message in str(refused.value)


def test_status_and_updated_at_are_kept_and_rebuilt():
    raw = raw_order(status="refunded", updated_at="2026-12-01T12:00:00Z")

    kept = known_fields(raw)

    assert kept["status"] == "refunded" and kept["updated_at"] == "2026-12-01T12:00:00Z"
    assert rebuild_validated_order(kept) == validate_order(raw)
