"""Whether the scopes Shopify granted cover what pushing needs (``settings.SHOPIFY_SCOPES``).

A ``write_x`` scope implies ``read_x``; Shopify does not always list the implied one.
https://shopify.dev/docs/api/usage/access-scopes
"""

from collections.abc import Iterable

from django.conf import settings


def parse_scopes(scopes: str | Iterable[str]) -> frozenset[str]:
    items = scopes.split(",") if isinstance(scopes, str) else scopes
    return frozenset(s.strip() for s in items if s and s.strip())


def missing_scopes(granted: str | Iterable[str]) -> list[str]:
    have = set(parse_scopes(granted))
    have |= {f"read_{s.removeprefix('write_')}" for s in have if s.startswith("write_")}
    return sorted(set(settings.SHOPIFY_SCOPES) - have)


def scopes_reduced_reason(missing: list[str]) -> str:
    return (
        f"The app no longer has the Shopify access it needs ({', '.join(missing)}). "
        "Reconnect to grant it again and resume pushing."
    )
