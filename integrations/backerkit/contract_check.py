"""A yes/no check of an order against the contract's JSON Schema, compiled once into plain Python.

Most orders are valid, and for a valid order the ``jsonschema`` walk (descend, evolve, a validator
per level) was most of an import's CPU (benchmarks/cost_per_order.py). ``compile_check`` turns the
schema (its ``$ref``s already inlined) into nested closures doing only the comparisons the keywords
ask for. ``validate_order`` asks this check first and runs ``jsonschema`` only when it says no, for
the errors and their wording: so the check may be stricter than ``jsonschema`` (an order then gets
the full walk, nothing is lost) but never laxer. tests/integrations/backerkit/test_contract_check.py
compares the two on valid and broken orders.

The keywords are those of draft 2020-12 with ``jsonschema``'s meaning of each (``integer`` accepts
an integral float, ``pattern`` is ``re.search``, a bool is not a number). A keyword the check does
not know makes ``compile_check`` fail, so a contract that grows one cannot be checked laxly.
"""

import re
from collections.abc import Callable
from typing import Any

Check = Callable[[Any], bool]

# Keywords that assert nothing about the instance.
_ANNOTATIONS = frozenset({"$schema", "$id", "title", "description", "x-money", "$comment", "examples", "default"})
_ASSERTIONS = frozenset(
    {"type", "required", "properties", "items", "minLength", "maxLength", "pattern", "minItems", "maxItems",
     "minimum", "maximum", "enum"}
)  # fmt: skip


def _is_integer(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, float) and value.is_integer())


def _same(value: Any, allowed: Any) -> bool:
    """``enum``'s equality, as jsonschema's: a bool equals only a bool (True is not 1)."""
    if isinstance(value, bool) or isinstance(allowed, bool):
        return isinstance(value, bool) and isinstance(allowed, bool) and value is allowed
    return (
        type(value) is type(allowed) and value == allowed if isinstance(value, str | dict | list) else value == allowed
    )


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


_TYPES: dict[str, Check] = {
    "string": lambda v: isinstance(v, str),
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "null": lambda v: v is None,
    "boolean": lambda v: isinstance(v, bool),
    "integer": _is_integer,
    "number": _is_number,
}


def compile_check(schema: Any) -> Check:
    """A function telling whether an instance is valid against ``schema`` (no ``$ref`` left in it)."""
    if schema is True or schema == {}:
        return lambda value: True
    if not isinstance(schema, dict):
        raise ValueError(f"cannot compile schema {schema!r}")
    unknown = set(schema) - _ANNOTATIONS - _ASSERTIONS
    if unknown:
        raise ValueError(f"the contract check does not know the keyword(s) {sorted(unknown)}")
    checks: list[Check] = []
    if "type" in schema:
        names = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        accepted = [_TYPES[name] for name in names]
        checks.append(lambda v: any(accept(v) for accept in accepted))
    if "enum" in schema:
        allowed = list(schema["enum"])
        checks.append(lambda v: any(_same(v, one) for one in allowed))
    checks.extend(_string_checks(schema))
    checks.extend(_number_checks(schema))
    checks.extend(_array_checks(schema))
    checks.extend(_object_checks(schema))

    def check(value: Any) -> bool:
        return all(one(value) for one in checks)

    return check


def _string_checks(schema: dict) -> list[Check]:
    checks: list[Check] = []
    low, high = schema.get("minLength"), schema.get("maxLength")
    if low is not None:
        checks.append(lambda v: not isinstance(v, str) or len(v) >= low)
    if high is not None:
        checks.append(lambda v: not isinstance(v, str) or len(v) <= high)
    if "pattern" in schema:
        search = re.compile(schema["pattern"]).search
        checks.append(lambda v: not isinstance(v, str) or search(v) is not None)
    return checks


def _number_checks(schema: dict) -> list[Check]:
    checks: list[Check] = []
    low, high = schema.get("minimum"), schema.get("maximum")
    if low is not None:
        checks.append(lambda v: not _is_number(v) or v >= low)
    if high is not None:
        checks.append(lambda v: not _is_number(v) or v <= high)
    return checks


def _array_checks(schema: dict) -> list[Check]:
    checks: list[Check] = []
    low, high = schema.get("minItems"), schema.get("maxItems")
    if low is not None:
        checks.append(lambda v: not isinstance(v, list) or len(v) >= low)
    if high is not None:
        checks.append(lambda v: not isinstance(v, list) or len(v) <= high)
    if "items" in schema:
        each = compile_check(schema["items"])
        checks.append(lambda v: not isinstance(v, list) or all(each(entry) for entry in v))
    return checks


def _object_checks(schema: dict) -> list[Check]:
    checks: list[Check] = []
    required = tuple(schema.get("required") or ())
    if required:
        checks.append(lambda v: not isinstance(v, dict) or all(name in v for name in required))
    if "properties" in schema:
        properties = {name: compile_check(sub) for name, sub in schema["properties"].items()}

        def properties_valid(v: Any) -> bool:
            if not isinstance(v, dict):
                return True
            return all(check(v[name]) for name, check in properties.items() if name in v)

        checks.append(properties_valid)
    return checks
