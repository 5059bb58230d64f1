"""Validation of one BackerKit order: a raw dict (from the API or a file) -> ``BackerKitOrder``.

The contract is integrations/backerkit/contract/order.v1.schema.json (documented in the README
beside it). Validation is the JSON Schema plus the checks a schema cannot express (ISO codes,
negative money, decimal places of the currency). Every problem is reported with the field it
concerns, so a Success rep can fix the source; nothing is coerced silently.

Forward compatible: properties the contract does not name are ignored, and never stored
(``known_fields``: what a push record keeps of an order).
Personal fields (``PERSONAL_FIELDS``: the email, the address but its country, the free-text note and
survey answers) are never quoted in a message: a message names the order and the field, and says
what is wrong with the value without repeating it (messages end up in ``last_error`` and attempt
details, shown on pages and kept after the personal data is erased). Other values (SKU, amounts,
currency and country codes, quantities) may be quoted.
Never kept: ``note`` and ``survey_answers`` are validated (so a malformed payload is still refused)
but they are not fields of ``BackerKitOrder``: nothing downstream can push or store them.
"""

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Any

import jsonschema
import pycountry

CONTRACT_VERSION = "v1"
STATUSES = ("locked", "canceled", "refunded")  # an order's ``status``; absent means locked
SCHEMA_PATH = Path(__file__).resolve().parent / "contract" / "order.v1.schema.json"

# ISO 4217 minor units that differ from 2 (https://www.iso.org/iso-4217-currency-codes.html).
_MINOR_UNITS = {
    **dict.fromkeys(
        ["BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI", "VND", "VUV", "XAF", "XOF"]
        + ["XPF"],
        0,
    ),
    **dict.fromkeys(["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"], 3),
    "CLF": 4,
    "UYW": 4,
}


def currency_exponent(currency: str) -> int:
    """How many decimal places an amount in ``currency`` has (JPY 0, USD 2, KWD 3)."""
    return _MINOR_UNITS.get(currency, 2)


def quantum(currency: str) -> Decimal:
    return Decimal(1).scaleb(-currency_exponent(currency))


@dataclass(frozen=True)
class FieldProblem:
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


class InvalidOrder(ValueError):
    """The order breaks the contract. ``str()`` names the order and every field at fault."""

    def __init__(self, order_id: str, problems: list[FieldProblem]):
        self.order_id = order_id
        self.problems = problems
        super().__init__(f"order {order_id}: " + "; ".join(str(p) for p in problems))


@dataclass(frozen=True)
class ShippingAddress:
    first_name: str
    last_name: str
    company: str
    address1: str
    address2: str
    city: str
    region: str
    postal_code: str
    country_code: str
    phone: str


@dataclass(frozen=True)
class OrderItem:
    sku: str
    name: str
    quantity: int
    campaign_price: Decimal


@dataclass(frozen=True)
class Tax:
    name: str
    amount: Decimal


@dataclass(frozen=True)
class BackerKitOrder:
    """A valid order. Amounts are ``Decimal`` quantized to the currency's decimal places.

    There is deliberately no ``note`` and no ``survey_answers`` here (never pushed, never stored).
    """

    id: str
    backer_id: str
    pledge_id: str
    email: str
    currency: str
    shipping_address: ShippingAddress
    items: tuple[OrderItem, ...]
    pledge_amount: Decimal
    add_ons_amount: Decimal
    shipping_amount: Decimal
    taxes: tuple[Tax, ...]
    amount_paid: Decimal
    stripe_charge_ids: tuple[str, ...]
    # After the push: BackerKit's status of the order and when its data or status last changed (aware,
    # UTC; None when BackerKit did not say: versions are then compared by content).
    status: str = "locked"
    updated_at: datetime | None = None

    @property
    def total_tax(self) -> Decimal:
        return sum((tax.amount for tax in self.taxes), Decimal(0)).quantize(quantum(self.currency))


@lru_cache(maxsize=1)
def contract_schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text())


@lru_cache(maxsize=1)
def _validator() -> jsonschema.Draft202012Validator:
    # The contract's $refs are inlined once here: resolving them on every order was a third of an
    # import's CPU (benchmarks/cost_per_order.py). The errors are the same: they name data paths.
    schema = _inline_refs(contract_schema(), contract_schema()["$defs"])
    return jsonschema.Draft202012Validator(schema)


def _inline_refs(schema: Any, definitions: dict) -> Any:
    """``schema`` with every ``{"$ref": "#/$defs/NAME", ...}`` replaced by the definition (its
    sibling keywords, such as a description, kept beside it)."""
    if isinstance(schema, list):
        return [_inline_refs(entry, definitions) for entry in schema]
    if not isinstance(schema, dict):
        return schema
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        siblings = {key: value for key, value in schema.items() if key != "$ref"}
        return {**_inline_refs(definitions[ref.removeprefix("#/$defs/")], definitions), **siblings}
    return {key: _inline_refs(value, definitions) for key, value in schema.items() if key != "$defs"}


def validate_order(raw: Any) -> BackerKitOrder:
    """The validated order, or ``InvalidOrder`` listing every problem found."""
    order_id = _order_label(raw)
    if not isinstance(raw, dict):
        raise InvalidOrder(order_id, [FieldProblem("(order)", f"must be a JSON object, not {_json_type(raw)}")])
    if nested_deeper_than(raw, MAX_DEPTH):  # before any recursive walk (file import and API pull alike)
        raise InvalidOrder(order_id, [FieldProblem("(order)", f"is nested more than {MAX_DEPTH} levels deep")])
    problems = [_describe(error) for error in _validator().iter_errors(raw)]
    problems.extend(_semantic_problems(raw))
    if problems:
        problems.sort(key=lambda p: p.field)
        raise InvalidOrder(order_id, _unique(problems))
    return _build(raw)


# An order is a few levels deep (order > items > item); a survey answer may nest a little more.
# Deeper input is refused before anything walks it recursively.
MAX_DEPTH = 32


def nested_deeper_than(value: Any, limit: int) -> bool:
    """Whether arrays and objects in ``value`` nest more than ``limit`` levels (without recursion)."""
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict | list):
            if depth > limit:
                return True
            stack.extend((child, depth + 1) for child in (node.values() if isinstance(node, dict) else node))
    return False


def _order_label(raw: Any) -> str:
    if isinstance(raw, dict) and isinstance(raw.get("id"), str) and raw["id"].strip():
        label = printable(raw["id"].strip())
        return label if len(label) <= 80 else label[:79] + "…"
    return "(without id)"


def is_storable_text(value: str) -> bool:
    """Text PostgreSQL can store and Shopify can be sent as UTF-8: no NUL, no lone surrogate."""
    return "\x00" not in value and not _LONE_SURROGATE.search(value)


def printable(value: str) -> str:
    """``value`` with NUL and lone surrogates written as escapes (``\\x00``, ``\\ud800``), so that a
    message quoting hostile input can itself be stored and shown."""
    if is_storable_text(value):
        return value
    return value.replace("\x00", "\\x00").encode("utf-8", "backslashreplace").decode("utf-8")


# --- turning jsonschema errors into sentences ----------------------------------------------------


def _path(parts: Iterable[Any]) -> str:
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(order)"


def _show(value: Any, limit: int = 60) -> str:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, str):
        return _show_text(value, limit=limit)
    text = printable(json.dumps(value, ensure_ascii=False, default=str))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _show_text(value: str, *, limit: int = 60) -> str:
    shown = value if len(value) <= limit else value[: limit - 1] + "…"
    return printable(json.dumps(shown, ensure_ascii=False))


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float | Decimal):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


_TYPE_NAMES = {"string": "a string", "integer": "an integer", "object": "an object", "array": "an array"}
_PATTERN_MESSAGES = {
    "email": "is not an email address",
    "currency": "is not a currency code (three capital letters, ISO 4217)",
    "country_code": "is not a country code (two capital letters, ISO 3166-1)",
    "updated_at": "is not an RFC 3339 date-time (such as 2026-12-01T12:00:00Z)",
}


# Fields whose value identifies the customer: never quoted in a problem. The address is personal but
# for its country code (a country alone identifies no one; the merchant needs it to fix a typo).
PERSONAL_FIELDS = frozenset({"email", "note", "survey_answers", "shipping_address"})
_NOT_PERSONAL_IN_ADDRESS = frozenset({"country_code"})


def is_personal(path: list[Any]) -> bool:
    """Whether the value at ``path`` (from the order's root) is a customer's personal data."""
    if not path or path[0] not in PERSONAL_FIELDS:
        return False
    return not (path[0] == "shipping_address" and len(path) == 2 and path[1] in _NOT_PERSONAL_IN_ADDRESS)


def _describe(error: jsonschema.ValidationError) -> FieldProblem:
    path = list(error.absolute_path)
    field = _path(path)
    if is_personal(path):
        return _describe_personal(error, field)
    schema = error.schema if isinstance(error.schema, dict) else {}
    is_money = bool(schema.get("x-money"))
    value = error.instance
    kind = error.validator
    if kind == "required":
        # jsonschema reports one error per missing property, naming it in the message.
        missing = next((name for name in error.validator_value if repr(name) in error.message), None)
        return FieldProblem(_path([*path, missing]) if missing else field, "is required")
    if is_money and kind in ("type", "pattern"):
        if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
            message = f'{_show(value)} is a JSON number; money must be a decimal string such as "12.50"'
            return FieldProblem(field, message)
        return FieldProblem(field, f"{_show(value)} is not a decimal amount")
    if kind == "type":
        return _type_problem(error, field)
    if kind == "pattern":
        last = path[-1] if path else ""
        return FieldProblem(field, f"{_show(value)} {_PATTERN_MESSAGES.get(last, 'is not in the expected format')}")
    if kind == "minLength":
        return FieldProblem(field, "must not be empty")
    if kind == "maxLength":
        return FieldProblem(field, f"is {len(value)} characters long; at most {error.validator_value} are allowed")
    if kind == "minItems":
        return FieldProblem(field, f"must hold at least {error.validator_value} entry")
    if kind == "maxItems":
        return FieldProblem(field, f"holds {len(value)} entries; at most {error.validator_value} are allowed")
    if kind == "enum":
        return FieldProblem(field, f"{_show(value)} is not one of {', '.join(map(str, error.validator_value))}")
    if kind == "minimum":
        return FieldProblem(field, f"{_show(value)} is less than {error.validator_value}")
    if kind == "maximum":
        return FieldProblem(field, f"{_show(value)} is more than {error.validator_value}")
    return FieldProblem(field, error.message)


def _type_problem(error: jsonschema.ValidationError, field: str) -> FieldProblem:
    """A value of the wrong JSON type: names the types wanted and the type given, never the value."""
    expected = error.validator_value
    names = [expected] if isinstance(expected, str) else [t for t in expected if t != "null"]
    wanted = " or ".join(_TYPE_NAMES.get(name, name) for name in names)
    return FieldProblem(field, f"must be {wanted}, not {_json_type(error.instance)}")


def _describe_personal(error: jsonschema.ValidationError, field: str) -> FieldProblem:
    """The problem of a personal field, without its value."""
    kind, value = error.validator, error.instance
    if kind == "required":
        missing = next((name for name in error.validator_value if repr(name) in error.message), None)
        return FieldProblem(_path([*error.absolute_path, missing]) if missing else field, "is required")
    if kind == "type":
        return _type_problem(error, field)
    if kind == "pattern":
        return FieldProblem(field, _PATTERN_MESSAGES.get(field.rsplit(".", 1)[-1], "is not in the expected format"))
    if kind == "minLength":
        return FieldProblem(field, "must not be empty")
    if kind == "maxLength":
        return FieldProblem(field, f"is {len(value)} characters long; at most {error.validator_value} are allowed")
    if kind == "maxItems":
        return FieldProblem(field, f"holds {len(value)} entries; at most {error.validator_value} are allowed")
    return FieldProblem(field, f"is not valid ({kind})")


# --- checks the schema cannot express ------------------------------------------------------------

_MONEY_FIELDS = ("pledge_amount", "add_ons_amount", "shipping_amount", "amount_paid")
# The largest amount the push records hold (DecimalField max_digits=16, decimal_places=4: twelve
# digits before the point): the contract's pattern allows 15, which would stop the whole import.
MAX_AMOUNT = Decimal("999999999999.99")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
_ID_FIELDS = ("id", "backer_id", "pledge_id")


def _semantic_problems(raw: dict) -> list[FieldProblem]:
    problems: list[FieldProblem] = []
    currency = raw.get("currency")
    currency_ok = isinstance(currency, str) and len(currency) == 3 and currency.isupper()
    if currency_ok and pycountry.currencies.get(alpha_3=currency) is None:
        problems.append(FieldProblem("currency", f"{_show(currency)} is not an ISO 4217 currency"))
        currency_ok = False
    places = currency_exponent(currency) if currency_ok else 6

    def money(field: str, value: Any) -> None:
        amount = _decimal_or_none(value)
        if amount is None:
            return  # the schema already reported it
        if amount < 0:
            problems.append(FieldProblem(field, f"{_show(value)} is negative"))
        elif amount > MAX_AMOUNT:
            problems.append(FieldProblem(field, f"{_show(value)} is more than the largest amount, {MAX_AMOUNT}"))
        elif currency_ok and -amount.as_tuple().exponent > places:
            problems.append(
                FieldProblem(field, f"{_show(value)} has more decimal places than {currency} allows ({places})")
            )

    for field in _MONEY_FIELDS:
        money(field, raw.get(field))
    for index, item in _enumerate_dicts(raw.get("items")):
        money(f"items[{index}].campaign_price", item.get("campaign_price"))
        sku = item.get("sku")
        if isinstance(sku, str) and sku and not sku.strip():
            problems.append(FieldProblem(f"items[{index}].sku", "is blank"))
    for index, tax in _enumerate_dicts(raw.get("taxes")):
        money(f"taxes[{index}].amount", tax.get("amount"))

    for field in _ID_FIELDS:
        value = raw.get(field)
        if isinstance(value, str) and value and not value.strip():
            problems.append(FieldProblem(field, "is blank"))
    charges = raw.get("stripe_charge_ids")
    if isinstance(charges, list):
        for index, charge in enumerate(charges):
            if isinstance(charge, str) and charge and not charge.strip():
                problems.append(FieldProblem(f"stripe_charge_ids[{index}]", "is blank"))

    address = raw.get("shipping_address")
    if isinstance(address, dict):
        country = address.get("country_code")
        if isinstance(country, str) and len(country) == 2 and country.isupper():
            if pycountry.countries.get(alpha_2=country) is None:
                problems.append(
                    FieldProblem("shipping_address.country_code", f"{_show(country)} is not an ISO 3166-1 country")
                )
    updated_at = raw.get("updated_at")
    if isinstance(updated_at, str) and _RFC3339.fullmatch(updated_at) and parse_updated_at(updated_at) is None:
        problems.append(FieldProblem("updated_at", f"{_show(updated_at)} is not a valid date-time"))
    kept = {key: value for key, value in raw.items() if key not in NEVER_KEPT}
    problems.extend(_nul_problems(kept, []))
    return problems


# The contract's own pattern: a value it refuses is reported once, by the schema.
_RFC3339 = re.compile(contract_schema()["properties"]["updated_at"]["pattern"])


def parse_updated_at(value: str) -> datetime | None:
    """An RFC 3339 ``updated_at`` as an aware UTC datetime (None when it names no real instant)."""
    try:
        parsed = datetime.fromisoformat(value.upper())
    except ValueError:
        return None
    return parsed.astimezone(UTC) if parsed.tzinfo else None


# Validated for shape, never stored nor sent: their text cannot hurt the database or Shopify.
NEVER_KEPT = frozenset({"note", "survey_answers"})


def _enumerate_dicts(value: Any) -> list[tuple[int, dict]]:
    if not isinstance(value, list):
        return []
    return [(index, entry) for index, entry in enumerate(value) if isinstance(entry, dict)]


def _nul_problems(value: Any, path: list[Any]) -> list[FieldProblem]:
    """A NUL character cannot be stored by PostgreSQL nor shown by Shopify, and a lone surrogate
    (a JSON escape such as ``\\ud800`` without its pair) is not Unicode text: it cannot be written
    as UTF-8 to the database or to Shopify. Refuse either by field."""
    if isinstance(value, str):
        problems = [FieldProblem(_path(path), "contains a NUL character")] if "\x00" in value else []
        if _LONE_SURROGATE.search(value):
            problems.append(FieldProblem(_path(path), "contains a lone surrogate (\\ud800-\\udfff), which is not text"))
        return problems
    if isinstance(value, dict):
        return [p for key, sub in value.items() for p in _nul_problems(sub, [*path, printable(str(key))])]
    if isinstance(value, list):
        return [p for index, sub in enumerate(value) for p in _nul_problems(sub, [*path, index])]
    return []


def _decimal_or_none(value: Any) -> Decimal | None:
    if not isinstance(value, str):
        return None
    try:
        amount = Decimal(value)
    except InvalidOperation:
        return None
    return amount if amount.is_finite() else None


def _unique(problems: list[FieldProblem]) -> list[FieldProblem]:
    seen: set[tuple[str, str]] = set()
    unique = []
    for problem in problems:
        if (problem.field, problem.message) not in seen:
            seen.add((problem.field, problem.message))
            unique.append(problem)
    return unique


# --- what is kept --------------------------------------------------------------------------------


def known_fields(raw: dict) -> dict:
    """``raw`` with only the properties the contract names, at every level (order, address, items,
    taxes), and without ``note`` and ``survey_answers``: what a push record stores of an order.
    Unknown extra fields from BackerKit are never stored (they may hold anything, personal too)."""
    kept = _keep(raw, contract_schema())
    return {key: value for key, value in kept.items() if key not in NEVER_KEPT}


def _resolve(schema: dict) -> dict:
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        return contract_schema()["$defs"][ref.removeprefix("#/$defs/")]
    return schema


def _keep(value: Any, schema: dict) -> Any:
    schema = _resolve(schema)
    properties = schema.get("properties")
    if isinstance(value, dict) and isinstance(properties, dict):
        return {key: _keep(sub, properties[key]) for key, sub in value.items() if key in properties}
    items = schema.get("items")
    if isinstance(value, list) and isinstance(items, dict):
        return [_keep(entry, items) for entry in value]
    return value


# --- building the value object -------------------------------------------------------------------


def rebuild_validated_order(stored: dict) -> BackerKitOrder:
    """An order that passed ``validate_order`` under ``CONTRACT_VERSION`` and was stored as its known
    fields, rebuilt without the JSON Schema walk (most of a push's CPU went into validating orders
    that had already been validated at import)."""
    return _build(stored)


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _build(raw: dict) -> BackerKitOrder:
    currency = raw["currency"]
    step = quantum(currency)

    def money(value: Any) -> Decimal:
        return Decimal(value).quantize(step) if value is not None else Decimal(0).quantize(step)

    address = raw["shipping_address"]
    return BackerKitOrder(
        id=raw["id"].strip(),
        backer_id=raw["backer_id"].strip(),
        pledge_id=_text(raw.get("pledge_id")),
        email=raw["email"].strip(),
        currency=currency,
        shipping_address=ShippingAddress(
            first_name=_text(address.get("first_name")),
            last_name=_text(address.get("last_name")),
            company=_text(address.get("company")),
            address1=_text(address.get("address1")),
            address2=_text(address.get("address2")),
            city=_text(address.get("city")),
            region=_text(address.get("region")),
            postal_code=_text(address.get("postal_code")),
            country_code=address["country_code"],
            phone=_text(address.get("phone")),
        ),
        items=tuple(
            OrderItem(
                sku=item["sku"].strip(),
                name=_text(item.get("name")),
                quantity=item["quantity"],
                campaign_price=money(item["campaign_price"]),
            )
            for item in raw["items"]
        ),
        pledge_amount=money(raw["pledge_amount"]),
        add_ons_amount=money(raw.get("add_ons_amount")),
        shipping_amount=money(raw["shipping_amount"]),
        taxes=tuple(Tax(name=tax["name"].strip(), amount=money(tax["amount"])) for tax in raw.get("taxes") or []),
        amount_paid=money(raw["amount_paid"]),
        stripe_charge_ids=tuple(charge.strip() for charge in raw.get("stripe_charge_ids") or []),
        status=raw.get("status") or "locked",
        updated_at=parse_updated_at(raw["updated_at"]) if raw.get("updated_at") else None,
    )
