"""Shop plans and the Admin GraphQL rate limits each one gets.

Restore rates are Shopify's published figures; the bucket holds 20 seconds of restore (2000 points on
Standard, as ``throttleStatus.maximumAvailable`` reports on live stores).
https://shopify.dev/docs/apps/build/apis/graphql-admin/rate-limits
Development and trial stores run on the Standard figures plus a cap of five new orders per minute
(the note on https://shopify.dev/docs/api/admin-graphql/latest/mutations/orderCreate).
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Plan:
    key: str
    display_name: str
    bucket_size: float
    restore_rate: float
    shopify_plus: bool = False
    partner_development: bool = False
    orders_per_minute: int | None = None


PLANS: dict[str, Plan] = {
    "standard": Plan("standard", "Basic", bucket_size=2000, restore_rate=100),
    "advanced": Plan("advanced", "Advanced", bucket_size=4000, restore_rate=200),
    "plus": Plan("plus", "Shopify Plus", bucket_size=20000, restore_rate=1000, shopify_plus=True),
    "enterprise": Plan("enterprise", "Commerce Components", bucket_size=40000, restore_rate=2000, shopify_plus=True),
    "development": Plan(
        "development",
        "Development",
        bucket_size=2000,
        restore_rate=100,
        partner_development=True,
        orders_per_minute=5,
    ),
}


def plan_named(key: str) -> Plan:
    try:
        return PLANS[key]
    except KeyError:
        raise ValueError(f"unknown plan {key!r}; one of {', '.join(PLANS)}") from None
