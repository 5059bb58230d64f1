"""Admin API versions: which one serves a request, and whether its use is deprecated.

Shopify releases a version each quarter and supports it for at least twelve months. A request for a
version that is no longer supported is served by the oldest supported one, and the response's
``X-Shopify-API-Version`` names the version that actually served it; use of a version close to its
end of support is flagged with ``X-Shopify-API-Deprecated-Reason``.
https://shopify.dev/docs/api/usage/versioning
"""

import re
from dataclasses import dataclass

SUPPORTED_VERSIONS: tuple[str, ...] = ("2025-10", "2026-01", "2026-04", "2026-07", "2026-10")
# Still served, but within its last months of support.
DEPRECATED_VERSIONS: frozenset[str] = frozenset({"2025-10"})
DEPRECATION_REASON = "https://shopify.dev/docs/api/usage/versioning#deprecation-practices"
_VERSION = re.compile(r"^\d{4}-(01|04|07|10)$")


@dataclass(frozen=True)
class ServedVersion:
    version: str
    deprecated_reason: str | None


def serve_version(
    requested: str,
    *,
    supported: tuple[str, ...] = SUPPORTED_VERSIONS,
    deprecated: frozenset[str] = DEPRECATED_VERSIONS,
) -> ServedVersion | None:
    """The version that serves ``requested``, or None for a version that does not exist (404)."""
    if requested == "unstable":
        return ServedVersion("unstable", None)
    if not _VERSION.match(requested) or requested > supported[-1]:
        return None
    if requested < supported[0]:
        # Fall forward: the request was for a version that is no longer supported.
        return ServedVersion(supported[0], DEPRECATION_REASON)
    if requested not in supported:
        return None
    return ServedVersion(requested, DEPRECATION_REASON if requested in deprecated else None)
