"""Parsing and validating GraphQL documents against Shopify's Admin schema, cached per document text.

An invalid document is answered with HTTP 200 and ``errors`` (message, locations, extensions.code),
as Shopify answers. The messages are graphql-core's wording, not Shopify's; the codes follow
Shopify's (``undefinedField``, ``argumentNotAccepted``, ``missingRequiredArguments``...).
https://shopify.dev/docs/api/admin-graphql#status-and-error-codes
"""

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import graphql

from integrations.shopify.schema import admin_schema

_CODES = (
    (re.compile(r"^Cannot query field"), "undefinedField"),
    (re.compile(r"^Unknown argument"), "argumentNotAccepted"),
    (re.compile(r"argument .* is required"), "missingRequiredArguments"),
    (re.compile(r"^Field '.*' of required type"), "missingRequiredArguments"),
    (re.compile(r"^Unknown type"), "undefinedType"),
    (re.compile(r"^Variable"), "variableMismatch"),
    (re.compile(r"^Syntax Error"), "parseError"),
)


def error_code(message: str) -> str:
    for pattern, code in _CODES:
        if pattern.search(message):
            return code
    return "validationError"


def format_error(error: graphql.GraphQLError, default_code: str | None = None) -> dict[str, Any]:
    formatted = error.formatted
    extensions = dict(formatted.get("extensions") or {})
    extensions.setdefault("code", default_code or error_code(error.message))
    formatted["extensions"] = extensions
    return formatted


@dataclass(frozen=True)
class ParsedDocument:
    document: graphql.DocumentNode | None
    errors: tuple[dict[str, Any], ...]


@lru_cache(maxsize=1024)
def parse_and_validate(text: str) -> ParsedDocument:
    try:
        document = graphql.parse(text)
    except graphql.GraphQLError as exc:
        return ParsedDocument(None, (format_error(exc, "parseError"),))
    errors = graphql.validate(admin_schema(), document)
    if errors:
        return ParsedDocument(None, tuple(format_error(e) for e in errors))
    return ParsedDocument(document, ())
