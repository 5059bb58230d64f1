"""Shopify's search syntax, the part the app uses: ``sku:A OR sku:B``, ``source_identifier:X``.

Terms are ``field:value`` (value optionally quoted, a trailing ``*`` is a prefix match); terms in a
group must all match (whitespace or ``AND``), groups are joined by ``OR``. Unknown fields match
nothing. A range is ``field:>value`` (also ``>=``, ``<``, ``<=``), e.g.
``updated_at:>'2026-12-01T10:00:00Z'``: timestamps compare as times, numbers as numbers.
https://shopify.dev/docs/api/usage/search-syntax
"""

import re
import shlex
from collections.abc import Callable
from datetime import datetime
from typing import Any

_OR = re.compile(r"\s+OR\s+")
_RANGE = re.compile(r"^(>=|<=|>|<)(.*)$")


def parse(query: str) -> list[list[tuple[str, str]]]:
    """``'sku:A OR sku:"B C"'`` -> ``[[("sku", "A")], [("sku", "B C")]]``; a bare word is ``("", word)``."""
    groups = []
    for group in _OR.split(query.strip()):
        terms = []
        for word in shlex.split(group):
            if word == "AND":
                continue
            field, sep, value = word.partition(":")
            terms.append((field.lower(), value) if sep else ("", word))
        if terms:
            groups.append(terms)
    return groups


def _comparable(value: Any) -> Any:
    text = str(value).strip()
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        return text


def _in_range(candidate: Any, operator: str, bound: str) -> bool:
    left, right = _comparable(candidate), _comparable(bound)
    if type(left) is not type(right):
        return False
    if isinstance(left, datetime) and (left.tzinfo is None) != (right.tzinfo is None):
        return False
    return {">": left > right, ">=": left >= right, "<": left < right, "<=": left <= right}[operator]


def _value_matches(candidate: Any, wanted: str) -> bool:
    if candidate is None:
        return False
    values = candidate if isinstance(candidate, list | tuple) else [candidate]
    ranged = _RANGE.match(wanted)
    if ranged:
        return any(_in_range(value, ranged.group(1), ranged.group(2)) for value in values)
    for value in values:
        text = str(value).lower()
        if wanted.endswith("*") and text.startswith(wanted[:-1].lower()):
            return True
        if text == wanted.lower():
            return True
    return False


def matcher(query: str | None, fields: Callable[[Any], dict[str, Any]]) -> Callable[[Any], bool]:
    """A predicate for items whose searchable ``fields(item)`` satisfy ``query`` (None: everything)."""
    if not query or not query.strip():
        return lambda _item: True
    groups = parse(query)

    def matches(item: Any) -> bool:
        values = fields(item)
        return any(all(_value_matches(values.get(f), v) for f, v in group) for group in groups)

    return matches
