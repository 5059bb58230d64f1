"""Whether the scopes Shopify granted cover what pushing needs (``settings.SHOPIFY_PUSH_SCOPES``; the
app asks for ``settings.SHOPIFY_SCOPES``, which adds the fulfilment scopes), or a feature's own.

A ``write_x`` scope implies ``read_x``; Shopify does not always list the implied one.
https://shopify.dev/docs/api/usage/access-scopes
"""

from collections.abc import Iterable

from django.conf import settings


def parse_scopes(scopes: str | Iterable[str]) -> frozenset[str]:
    items = scopes.split(",") if isinstance(scopes, str) else scopes
    return frozenset(s.strip() for s in items if s and s.strip())


def missing_scopes(granted: str | Iterable[str], needed: Iterable[str] | None = None) -> list[str]:
    """What of ``needed`` (default: what pushing needs) the granted scopes lack."""
    have = set(parse_scopes(granted))
    have |= {f"read_{s.removeprefix('write_')}" for s in have if s.startswith("write_")}
    return sorted(set(settings.SHOPIFY_PUSH_SCOPES if needed is None else needed) - have)


def scopes_reduced_reason(missing: list[str]) -> str:
    return (
        f"The app no longer has the Shopify access it needs ({', '.join(missing)}). "
        "Reconnect to grant it again and resume pushing."
    )
