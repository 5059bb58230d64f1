"""Pure mapping: a validated BackerKit order + the shop's settings + its variants -> ``orderCreate``.

No I/O and no ORM: everything the mapping needs arrives as arguments, so every rule of the help
article is tested case by case without a database.
The result is either a ``MappedOrder`` (the exact ``OrderCreateOrderInput`` / ``OrderCreateOptionsInput``
variables, JSON-ready, money as strings) or ``NeedsAttention`` with reasons a merchant understands.

Decisions (each named in tests/integrations/orders/test_mapping.py):
- Items are matched by SKU and priced by Shopify (no ``priceSet``): the merchant's catalogue price
  is what Shopify charges, which is why an order can end up partially paid.
- Taxes: all BackerKit taxes summed into one "Taxes" line item (not taxable, not shipped), or, per
  shop, Shopify ``taxLines`` (one per tax, with the rate over the items' Shopify subtotal).
- Tags are the raw values, searchable as they are: the backer id, the connected store name and each
  Stripe charge id. Shopify tags hold at most 40 characters and a comma splits them, so an id that
  cannot be a tag intact goes to a custom attribute instead (never truncated: a truncated id would
  find the wrong backer). The store name is ours to shape: commas removed, whitespace collapsed,
  cut to 40 characters.
- Provinces are sent only for countries whose Shopify addresses use them (``PROVINCE_COUNTRIES``).
- Never pushed: the order note and survey answers (``BackerKitOrder`` does not even carry them).
"""

import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import Any, Literal

import pycountry

from integrations.backerkit.orders import MAX_AMOUNT, BackerKitOrder, ShippingAddress, quantum
from integrations.shops.choices import InventoryBehaviour, TaxMode

TAG_MAX_LENGTH = 40  # Shopify's limit per tag (REST Order resource docs)
GATEWAY = "BackerKit"
TAXES_TITLE = "Taxes"
SHIPPING_TITLE = "Shipping"
TOTAL_PAID_ATTRIBUTE = "Total Paid by Backer"
# The store's settings, one definition with the Shop model's fields (integrations/shops/choices.py).
TAX_MODES = tuple(TaxMode.values)
INVENTORY_BEHAVIOURS = tuple(InventoryBehaviour.values)

FinancialStatus = Literal["PAID", "PARTIALLY_PAID", "PENDING"]


@dataclass(frozen=True)
class ShopSettings:
    include_transaction_data: bool = True
    tax_mode: str = TaxMode.ONE_LINE_ITEM
    inventory_behaviour: str = InventoryBehaviour.BYPASS
    send_receipt: bool = False
    send_fulfillment_receipt: bool = False
    shop_currency: str = "USD"
    connected_store_name: str = ""


@dataclass(frozen=True)
class Variant:
    id: str
    sku: str
    price: Decimal


@dataclass(frozen=True)
class MappedOrder:
    order_input: dict[str, Any]
    options: dict[str, Any]
    shopify_total: Decimal
    amount_paid: Decimal
    expected_financial_status: FinancialStatus
    outstanding: Decimal
    explanation: str
    notices: tuple[str, ...] = ()


@dataclass(frozen=True)
class NeedsAttention:
    reasons: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return "; ".join(self.reasons)


def currency_mismatch(*, campaign: str, store: str) -> str:
    """The one currency rule: orders go only to a store selling in the campaign's currency.
    Empty when they match or when either is not known yet (the store's is asked at install; the
    mapping says so itself when it is missing). Imports, connections and the mapping all ask this."""
    if campaign and store and campaign != store:
        return f"This campaign is in {campaign} but your Shopify store sells in {store}."
    return ""


def variant_skus(orders: Iterable[BackerKitOrder]) -> set[str]:
    """Every SKU the orders need, to look the variants up in one batch."""
    return {item.sku for order in orders for item in order.items}


def map_order(
    order: BackerKitOrder, *, settings: ShopSettings, variants: Mapping[str, Variant]
) -> MappedOrder | NeedsAttention:
    _check_settings(settings)
    address, address_problem = _shipping_address(order.shipping_address)
    reasons = _problems(order, settings=settings, variants=variants, address_problem=address_problem)
    if reasons:
        return NeedsAttention(reasons=reasons)

    items_total = sum((variants[item.sku].price * item.quantity for item in order.items), Decimal(0))
    items_total = items_total.quantize(quantum(order.currency))
    shopify_total = items_total + order.shipping_amount + order.total_tax
    if shopify_total > MAX_AMOUNT:  # quantities x Shopify prices: each amount was within bounds
        return NeedsAttention(
            reasons=[
                f"The order's total in Shopify, {shopify_total} {order.currency}, is more than this app records "
                f"({MAX_AMOUNT}): check the quantities."
            ]  # fmt: skip
        )

    tax_items, tax_lines = _taxes(order, settings=settings, items_total=items_total)
    order_input: dict[str, Any] = {
        "sourceIdentifier": order.id,
        "email": order.email,
        "currency": order.currency,
        "customer": {"toUpsert": _customer(order)},
        "shippingAddress": address,
        "lineItems": [{"variantId": variants[item.sku].id, "quantity": item.quantity} for item in order.items]
        + tax_items,
    }
    if order.shipping_amount > 0:
        order_input["shippingLines"] = [{"title": SHIPPING_TITLE, "priceSet": _money(order.shipping_amount, order)}]
    if tax_lines:
        order_input["taxLines"] = tax_lines

    tags, attributes, notices = _tags_and_attributes(order, settings.connected_store_name)
    status, outstanding, explanation = _payment(order, settings=settings, shopify_total=shopify_total)
    order_input["financialStatus"] = status
    if settings.include_transaction_data:
        transactions, paid = _transaction_data(order, shopify_total=shopify_total)
        if transactions:
            order_input["transactions"] = transactions
        attributes.append(paid)
    order_input["tags"] = tags
    if attributes:
        order_input["customAttributes"] = attributes

    return MappedOrder(
        order_input=order_input,
        options={
            "inventoryBehaviour": settings.inventory_behaviour,
            "sendReceipt": settings.send_receipt,
            "sendFulfillmentReceipt": settings.send_fulfillment_receipt,
        },
        shopify_total=shopify_total,
        amount_paid=order.amount_paid,
        expected_financial_status=status,
        outstanding=outstanding,
        explanation=explanation,
        notices=tuple(notices),
    )


def mapped_shipping_address(address: ShippingAddress) -> dict[str, str]:
    """The ``MailingAddressInput`` the push sends for this address (the province problem aside)."""
    return _shipping_address(address)[0]


def mapped_tags_and_attributes(order: BackerKitOrder, store_name: str) -> tuple[list[str], list[dict[str, str]]]:
    """The tags and custom attributes the push sends (without the money attribute)."""
    tags, attributes, _ = _tags_and_attributes(order, store_name)
    return tags, attributes


def paid_attribute(order: BackerKitOrder) -> dict[str, str]:
    """The "Total Paid by Backer" attribute of an order sent with transaction data."""
    return {"key": TOTAL_PAID_ATTRIBUTE, "value": f"{order.amount_paid} {order.currency}"}


def payment_summary(
    order: BackerKitOrder, *, settings: ShopSettings, shopify_total: Decimal
) -> tuple[FinancialStatus, Decimal, str]:
    """Financial status, what stays outstanding, and why (recomputed after a change of items or money)."""
    return _payment(order, settings=settings, shopify_total=shopify_total)


def _check_settings(settings: ShopSettings) -> None:
    """A store setting outside its choices is a bug upstream, not the order's fault."""
    if settings.tax_mode not in TAX_MODES:
        raise ValueError(f"unknown tax mode {settings.tax_mode!r}")
    if settings.inventory_behaviour not in INVENTORY_BEHAVIOURS:
        raise ValueError(f"unknown inventory behaviour {settings.inventory_behaviour!r}")


def _problems(
    order: BackerKitOrder, *, settings: ShopSettings, variants: Mapping[str, Variant], address_problem: str | None
) -> list[str]:
    """Why the order cannot be pushed as it is, in the merchant's words (empty: it can)."""
    reasons: list[str] = []
    if not settings.shop_currency:
        reasons.append("Your Shopify store's currency is not known yet: reconnect the store, then push again.")
    elif mismatch := currency_mismatch(campaign=order.currency, store=settings.shop_currency):
        reasons.append(mismatch)
    missing = sorted({item.sku for item in order.items if item.sku not in variants})
    reasons.extend(f"SKU {sku} is not in your Shopify store." for sku in missing)
    if address_problem:
        reasons.append(address_problem)
    return reasons


# --- money ---------------------------------------------------------------------------------------


def _money(amount: Decimal, order: BackerKitOrder) -> dict[str, dict[str, str]]:
    """A ``MoneyBagInput`` in the order's currency, with the currency's own decimal places."""
    return {"shopMoney": {"amount": str(amount.quantize(quantum(order.currency))), "currencyCode": order.currency}}


def _taxes(
    order: BackerKitOrder, *, settings: ShopSettings, items_total: Decimal
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(extra line items, tax lines): all taxes summed into one "Taxes" line item (not taxable, not
    shipped), or, per shop, one Shopify tax line per tax."""
    if order.total_tax <= 0:
        return [], []
    if settings.tax_mode == TaxMode.TAX_LINES:
        lines = [
            {"title": tax.name, "rate": _rate(tax.amount, items_total), "priceSet": _money(tax.amount, order)}
            for tax in order.taxes
            if tax.amount > 0
        ]
        return [], lines
    item = {
        "title": TAXES_TITLE,
        "quantity": 1,
        "priceSet": _money(order.total_tax, order),
        "taxable": False,
        "requiresShipping": False,
    }
    return [item], []


def _transaction_data(order: BackerKitOrder, *, shopify_total: Decimal) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """The SALE transaction (what the backer paid, at most the order total) and the attribute that
    keeps what they paid in full."""
    charged = min(order.amount_paid, shopify_total)
    transactions = []
    if charged > 0:
        transactions = [{"kind": "SALE", "status": "SUCCESS", "gateway": GATEWAY, "amountSet": _money(charged, order)}]
    return transactions, {"key": TOTAL_PAID_ATTRIBUTE, "value": f"{order.amount_paid} {order.currency}"}


def _payment(
    order: BackerKitOrder, *, settings: ShopSettings, shopify_total: Decimal
) -> tuple[FinancialStatus, Decimal, str]:
    """Financial status, what stays outstanding, and why, in the merchant's words."""
    paid, total, currency = order.amount_paid, shopify_total, order.currency
    if not settings.include_transaction_data:
        return (
            "PAID",
            Decimal(0).quantize(quantum(currency)),
            f"Transaction data is off for this store: the order is marked paid without a transaction "
            f"(Shopify total {total} {currency}; the backer paid {paid} {currency}).",
        )
    if paid >= total:
        explanation = f"The backer paid {paid} {currency}, which covers the Shopify total of {total} {currency}."
        if paid > total:
            explanation += (
                f" The transaction records {total} {currency} (at most the order total); the full {paid} {currency}"
                f' is kept as "{TOTAL_PAID_ATTRIBUTE}".'
            )
        return "PAID", Decimal(0).quantize(quantum(currency)), explanation
    outstanding = total - paid
    explanation = (
        f"Shopify prices the order at {total} {currency}; the backer paid {paid} {currency}; "
        f"{outstanding} {currency} stays outstanding."
    )
    return ("PARTIALLY_PAID" if paid > 0 else "PENDING"), outstanding, explanation


def _rate(amount: Decimal, base: Decimal) -> str:
    """Shopify requires a rate on every tax line: the tax over the items' Shopify subtotal."""
    if base <= 0:
        return "0"
    return format((amount / base).quantize(Decimal("0.000001")).normalize(), "f")


# --- customer, tags, attributes ------------------------------------------------------------------


def _customer(order: BackerKitOrder) -> dict[str, str]:
    # No phone: Shopify requires customer phones to be unique and E.164, which BackerKit does not
    # guarantee; the phone still travels on the shipping address for the carrier.
    customer = {"email": order.email, "firstName": order.shipping_address.first_name}
    if order.shipping_address.last_name:
        customer["lastName"] = order.shipping_address.last_name
    return customer


def clean_store_name(name: str) -> str:
    """The connected store name as a tag: no commas (they split tags), one space, 40 characters."""
    cleaned = " ".join(name.replace(",", " ").split())
    return cleaned[:TAG_MAX_LENGTH].rstrip()


def _fits_in_a_tag(value: str) -> bool:
    return len(value) <= TAG_MAX_LENGTH and "," not in value and value == " ".join(value.split())


def _tags_and_attributes(order: BackerKitOrder, store_name: str) -> tuple[list[str], list[dict[str, str]], list[str]]:
    tags: list[str] = []
    attributes: list[dict[str, str]] = []
    notices: list[str] = []

    def add_id(label: str, value: str) -> None:
        if _fits_in_a_tag(value):
            if value not in tags:
                tags.append(value)
            return
        attributes.append({"key": label, "value": value})
        notices.append(
            f"{label} {value!r} cannot be a Shopify tag intact (over {TAG_MAX_LENGTH} characters or containing a "
            f'comma); it is in the "{label}" attribute instead.'
        )

    add_id("Backer ID", order.backer_id)
    store_tag = clean_store_name(store_name)
    if store_tag and store_tag not in tags:
        tags.append(store_tag)
    for index, charge in enumerate(order.stripe_charge_ids):
        add_id("Stripe Charge ID" if index == 0 else f"Stripe Charge ID {index + 1}", charge)
    if order.pledge_id:
        attributes.append({"key": "Pledge ID", "value": order.pledge_id})
    return tags, attributes, notices


# --- address -------------------------------------------------------------------------------------

# Countries whose Shopify addresses carry a province (zone), with the ISO 3166-2 subdivision types
# that are Shopify zones (None: every type). Source: Shopify/worldwide db/data/regions/<CC>.yml
# (zones shown in the address format). Countries not listed (NL, BE, SE, DE, FR, GB, ...) push
# without a province: GB has zones but hides them from addresses (``hide_provinces_from_addresses``).
PROVINCE_COUNTRIES: dict[str, frozenset[str] | None] = {
    "US": None,
    "CA": None,
    "AU": None,
    "MX": None,
    "BR": None,
    "JP": None,
    "IN": None,
    "AR": None,
    "MY": None,
    "NZ": None,
    "IE": frozenset({"County"}),
    "ES": frozenset({"Province", "Autonomous city in north africa"}),
    "IT": frozenset(
        {
            "Province",
            "Metropolitan city",
            "Autonomous province",
            "Free municipal consortium",
            "Decentralized regional entity",
        }
    ),
}

# Where Shopify's zone code is not the ISO 3166-2 suffix (Shopify/worldwide MX.yml, MY.yml, JP.yml).
_SHOPIFY_CODES: dict[str, dict[str, str]] = {
    "MX": {
        "AGU": "AGS", "BCN": "BC", "CAM": "CAMP", "CHP": "CHIS", "CHH": "CHIH", "CMX": "DF", "COA": "COAH",
        "DUR": "DGO", "GUA": "GTO", "HID": "HGO", "MIC": "MICH", "NLE": "NL", "QUE": "QRO", "ROO": "Q ROO",
        "TAM": "TAMPS", "TLA": "TLAX",
    },
    "MY": {
        "01": "JHR", "02": "KDH", "03": "KTN", "04": "MLK", "05": "NSN", "06": "PHG", "07": "PNG", "08": "PRK",
        "09": "PLS", "10": "SGR", "11": "TRG", "12": "SBH", "13": "SWK", "14": "KUL", "15": "LBN", "16": "PJY",
    },
}  # fmt: skip
# Zones and names Shopify has that ISO 3166-2 lacks: US military addresses, Shopify's short names.
_EXTRA_ZONES: dict[str, dict[str, str]] = {
    "US": {
        "armed forces americas": "AA",
        "armed forces europe": "AE",
        "armed forces pacific": "AP",
        "washington dc": "DC",
    },
    "MY": {"kuala lumpur": "KUL", "labuan": "LBN", "putrajaya": "PJY", "penang": "PNG"},
}


def _shipping_address(address: ShippingAddress) -> tuple[dict[str, str], str | None]:
    mailing = {
        "firstName": address.first_name,
        "lastName": address.last_name,
        "company": address.company,
        "address1": address.address1,
        "address2": address.address2,
        "city": address.city,
        "zip": address.postal_code,
        "countryCode": address.country_code,
        "phone": address.phone,
    }
    mailing = {key: value for key, value in mailing.items() if value}
    if address.country_code not in PROVINCE_COUNTRIES:
        return mailing, None
    country = pycountry.countries.get(alpha_2=address.country_code).name
    if not address.region:
        return mailing, f"The address has no state or province, which Shopify requires for {country}."
    code = province_code(address.country_code, address.region)
    if code is None:
        return mailing, f'The region "{address.region}" is not a state or province of {country} that Shopify knows.'
    mailing["provinceCode"] = code
    return mailing, None


def province_code(country_code: str, region: str) -> str | None:
    """Shopify's zone code for ``region`` given as a name or a code ("New South Wales" -> "NSW")."""
    return _zone_index(country_code).get(_fold(region))


def load_zones() -> None:
    """Build the zone index of every country Shopify gives provinces, now: a worker calls it when it
    starts. Built on first use instead, pycountry's subdivision table (about 5,000 entries) loads
    inside the first order's mapping, holding the interpreter lock for a few hundred milliseconds
    while every lane of the process waits, at the start of a push."""
    for country_code in PROVINCE_COUNTRIES:
        _zone_index(country_code)


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.casefold().replace(".", " ").replace("-", " ").split())


@lru_cache(maxsize=64)
def _zone_index(country_code: str) -> dict[str, str]:
    types = PROVINCE_COUNTRIES.get(country_code)
    overrides = _SHOPIFY_CODES.get(country_code, {})
    index: dict[str, str] = {}
    for subdivision in pycountry.subdivisions.get(country_code=country_code) or []:
        if types is not None and subdivision.type not in types:
            continue
        suffix = subdivision.code.split("-", 1)[1]
        shopify = subdivision.code if country_code == "JP" else overrides.get(suffix, suffix)
        for key in (subdivision.code, suffix, shopify, subdivision.name):
            index.setdefault(_fold(key), shopify)
    for name, code in _EXTRA_ZONES.get(country_code, {}).items():
        index.setdefault(name, code)
        index.setdefault(_fold(code), code)
    return index
