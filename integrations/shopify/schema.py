"""Shopify's Admin GraphQL schema (2026-07), for validating every document sent or received.

The SDL is data captured from Shopify's live introspection (schema/SOURCE.md). Building it takes
about 3 s and ~100 MB, so it is built once per process, on first use, under a lock: the simulator
answers each request in its own thread, and a bare ``lru_cache`` let every thread that arrived
before the first build finished start its own (60 threads: a core and ~4 GB for a minute).
"""

import threading
from functools import lru_cache
from pathlib import Path

import graphql

SCHEMA_PATH = Path(__file__).resolve().parent / "schema" / "admin-2026-07.graphql"
SCHEMA_VERSION = "2026-07"


_schema: graphql.GraphQLSchema | None = None
_schema_lock = threading.Lock()


def admin_schema() -> graphql.GraphQLSchema:
    global _schema
    if _schema is None:
        with _schema_lock:
            if _schema is None:
                _schema = graphql.build_schema(SCHEMA_PATH.read_text())
    return _schema


@lru_cache(maxsize=512)
def _validate_cached(document: str) -> tuple[str, ...]:
    try:
        ast = graphql.parse(document)
    except graphql.GraphQLError as exc:
        return (exc.message,)
    return tuple(error.message for error in graphql.validate(admin_schema(), ast))


def validation_errors(document: str) -> list[str]:
    """The schema's objections to ``document`` (empty when it is valid)."""
    return list(_validate_cached(document))
