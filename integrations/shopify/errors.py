"""The ways a call to Shopify fails, mapped once at the client boundary.

Callers decide on the type alone: refresh/disconnect on ``ShopifyUnauthorized``, wait on
``ShopifyThrottled``, retry (after resolving an ambiguous outcome) on ``ShopifyTransient``, pause
the shop's work on ``ShopifyShopUnavailable``, and never retry ``ShopifyInvalid``.
"""


class ShopifyError(Exception):
    def __init__(self, message: str, *, shop: str = "", status: int | None = None):
        super().__init__(message)
        self.message = message
        self.shop = shop
        self.status = status


class ShopifyUnauthorized(ShopifyError):
    """401/403: the token is expired, revoked, refused (non-expiring after the cut-over) or the app
    is uninstalled. Refresh once if the token can be refreshed; otherwise disconnect the shop."""


class ShopifyAccessDenied(ShopifyError):
    """The token works but lacks a scope the operation needs (scopes reduced)."""


class ShopifyThrottled(ShopifyError):
    """The shop's cost bucket is empty. Not a failure: wait ``retry_after`` seconds and send again."""

    def __init__(self, message: str, *, shop: str = "", status: int | None = None, retry_after: float = 1.0):
        super().__init__(message, shop=shop, status=status)
        self.retry_after = retry_after


class ShopifyTransient(ShopifyError):
    """5xx, timeout or connection failure. ``ambiguous`` is True when the request may have reached
    Shopify and been executed (read timeout, dropped connection, 5xx): a mutation must then be
    looked up before it is sent again."""

    def __init__(self, message: str, *, shop: str = "", status: int | None = None, ambiguous: bool):
        super().__init__(message, shop=shop, status=status)
        self.ambiguous = ambiguous


class ShopifyShopUnavailable(ShopifyError):
    """The shop itself is closed to the API, whatever was asked: 402 Payment Required (``frozen``:
    "The shop owner needs to log in to the shop's admin and pay the outstanding balance to unfreeze
    the shop") or 423 Locked (``locked``: repeated abuse of the API limits, or a problem with the
    account). Nothing was executed. Not the request's fault: pause the shop's work, nothing failed,
    and look again later. https://shopify.dev/docs/api/usage/response-codes"""

    FROZEN = "frozen"
    LOCKED = "locked"

    def __init__(self, message: str, *, shop: str = "", status: int | None = None, kind: str):
        super().__init__(message, shop=shop, status=status)
        self.kind = kind


class ShopifyInvalid(ShopifyError):
    """Shopify refused the request itself (invalid document, 4xx). Retrying cannot help."""
