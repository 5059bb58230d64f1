"""A deterministic sample campaign: contract-valid orders and the Shopify catalogue they match.

The same (backers, seed) always gives the same orders, so tests and the demo can rely on them.
The catalogue prices some products higher in Shopify than in the campaign (those orders end up
partially paid with transaction data on), and every order carries a note and survey answers to
prove they are never pushed.
"""

import random
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from integrations.backerkit.orders import quantum

UNKNOWN_SKU = "PROMO-POSTER-NOT-IN-SHOPIFY"


@dataclass(frozen=True)
class CampaignProduct:
    sku: str
    title: str
    campaign_price: Decimal
    shopify_price: Decimal
    add_on: bool = False


DEFAULT_PRODUCTS: tuple[CampaignProduct, ...] = (
    CampaignProduct("GAME-CORE", "Skyforge: Core Game", Decimal("60.00"), Decimal("60.00")),
    CampaignProduct("GAME-DELUXE", "Skyforge: Deluxe Edition", Decimal("99.00"), Decimal("99.00")),
    CampaignProduct("EXP-FROST", "Frost Giants Expansion", Decimal("25.00"), Decimal("30.00"), add_on=True),
    CampaignProduct("DICE-METAL", "Metal Dice Set", Decimal("15.00"), Decimal("15.00"), add_on=True),
    CampaignProduct("PLAYMAT", "Neoprene Playmat", Decimal("20.00"), Decimal("18.00"), add_on=True),
    CampaignProduct("SLEEVES-100", "Card Sleeves (100)", Decimal("8.00"), Decimal("8.00"), add_on=True),
)

# (country, regions as a backer would type them, shipping, taxes as (name, rate) lists to pick from)
_DESTINATIONS: tuple[tuple[str, tuple[str, ...], Decimal, tuple[tuple[tuple[str, Decimal], ...], ...]], ...] = (
    ("US", ("CA", "NY", "TX", "WA", "Oregon", "Illinois"), Decimal("10.00"),
     ((), (("State Tax", Decimal("0.0725")),), (("State Tax", Decimal("0.04")), ("County Tax", Decimal("0.0125"))))),
    ("CA", ("ON", "BC", "Québec", "Alberta"), Decimal("18.00"),
     ((("GST", Decimal("0.05")),), (("GST", Decimal("0.05")), ("PST", Decimal("0.07"))))),
    ("GB", ("England", "Scotland", ""), Decimal("16.00"), ((("VAT", Decimal("0.20")),),)),
    ("DE", ("Bayern", "Berlin", ""), Decimal("14.00"), ((("VAT", Decimal("0.19")),), ())),
    ("NL", ("",), Decimal("14.00"), ((("VAT", Decimal("0.21")),), ())),
    ("BE", ("",), Decimal("14.00"), ((("VAT", Decimal("0.21")),),)),
    ("SE", ("",), Decimal("15.00"), ((("VAT", Decimal("0.25")),), ())),
    ("AU", ("New South Wales", "Victoria", "QLD", "Western Australia"), Decimal("22.00"),
     ((("GST", Decimal("0.10")),), ())),
)  # fmt: skip

_FIRST_NAMES = ("Ada", "Zoë", "José", "Łukasz", "Søren", "Chloé", "Åsa", "Björn", "Mei", "Kwame", "Priya", "Noah")
_LAST_NAMES = ("Lovelace", "Müller", "García", "Nowak", "Ødegaard", "Dubois", "Lindqvist", "O'Brien", "Chen", "Mensah")
_STREETS = ("Main Street", "Keizersgracht", "Rue de la Paix", "Königsallee", "George Street", "Storgatan")
_CITIES = {
    "US": "Springfield", "CA": "Toronto", "GB": "London", "DE": "München", "NL": "Amsterdam",
    "BE": "Bruxelles", "SE": "Göteborg", "AU": "Sydney",
}  # fmt: skip
_QUESTIONS = ("T-shirt size?", "Name for the credits page?", "Anything we should know?")
_ANSWERS = ("L", "M", "Please credit me as 'Captain Dice'", "Leave at the back door, code 1234", "")


def sample_catalog(products: tuple[CampaignProduct, ...] = DEFAULT_PRODUCTS) -> list[dict[str, Any]]:
    """The Shopify products matching the campaign (prices as decimal strings). The unknown SKU of
    ``generate_campaign(include_unknown_sku=True)`` is deliberately absent."""
    return [
        {"title": product.title, "variants": [{"sku": product.sku, "price": str(product.shopify_price)}]}
        for product in products
    ]


def generate_campaign(
    *,
    backers: int,
    seed: int,
    currency: str = "USD",
    skus: tuple[CampaignProduct, ...] = DEFAULT_PRODUCTS,
    include_unknown_sku: bool = False,
    id_prefix: str = "bk",
) -> list[dict[str, Any]]:
    """``backers`` contract-valid orders, the same for the same arguments.

    With ``include_unknown_sku`` the first order also holds a SKU that is not in ``sample_catalog()``.
    """
    rng = random.Random(seed)  # noqa: S311 - sample data, not security
    step = quantum(currency)
    rewards = [product for product in skus if not product.add_on] or list(skus)
    add_ons = [product for product in skus if product.add_on]
    orders = []
    for number in range(1, backers + 1):
        country, regions, shipping, tax_options = _DESTINATIONS[rng.randrange(len(_DESTINATIONS))]
        reward = rewards[rng.randrange(len(rewards))]
        items = [(reward, 1)]
        if add_ons and rng.random() < 0.5:
            for product in rng.sample(add_ons, k=rng.randint(1, min(2, len(add_ons)))):
                items.append((product, rng.randint(1, 2)))
        if include_unknown_sku and number == 1:
            items.append((CampaignProduct(UNKNOWN_SKU, "Promo poster", Decimal("5.00"), Decimal("5.00"), True), 1))

        pledge = sum((p.campaign_price * q for p, q in items if not p.add_on), Decimal(0)).quantize(step)
        add_ons_amount = sum((p.campaign_price * q for p, q in items if p.add_on), Decimal(0)).quantize(step)
        shipping_amount = (shipping if rng.random() < 0.9 else Decimal(0)).quantize(step)
        chosen_taxes = tax_options[rng.randrange(len(tax_options))]
        taxable = pledge + add_ons_amount
        taxes = [{"name": name, "amount": str((taxable * rate).quantize(step))} for name, rate in chosen_taxes]
        owed = taxable + shipping_amount + sum((Decimal(t["amount"]) for t in taxes), Decimal(0))
        roll = rng.random()
        if roll < 0.05:
            paid = owed + Decimal(rng.choice((5, 10, 20)))  # backers sometimes add an extra pledge
        elif roll < 0.08:
            paid = max(owed - Decimal(rng.choice((1, 5))), Decimal(0))  # a coupon BackerKit applied
        else:
            paid = owed
        first, last = rng.choice(_FIRST_NAMES), rng.choice(_LAST_NAMES)
        charges = [_charge_id(rng)] + ([_charge_id(rng)] if add_ons_amount and rng.random() < 0.4 else [])
        orders.append(
            {
                "id": f"{id_prefix}-{seed}-{number:06d}",
                "backer_id": str(100000 + seed * 1000003 % 900000 + number),
                "pledge_id": f"pl-{seed}-{number:06d}",
                "email": f"backer{number}.seed{seed}@example.com",
                "currency": currency,
                "shipping_address": {
                    "first_name": first,
                    "last_name": last,
                    "company": "Tabletop Guild" if rng.random() < 0.1 else None,
                    "address1": f"{rng.randint(1, 400)} {rng.choice(_STREETS)}",
                    "address2": f"Apt {rng.randint(1, 40)}" if rng.random() < 0.3 else None,
                    "city": _CITIES[country],
                    "region": rng.choice(regions),
                    "postal_code": f"{rng.randint(10000, 99999)}",
                    "country_code": country,
                    "phone": f"+1 555 01{rng.randint(10, 99)}" if rng.random() < 0.5 else None,
                },
                "items": [
                    {
                        "sku": p.sku,
                        "name": p.title,
                        "quantity": q,
                        "campaign_price": str(p.campaign_price.quantize(step)),
                    }
                    for p, q in items
                ],
                "pledge_amount": str(pledge),
                "add_ons_amount": str(add_ons_amount),
                "shipping_amount": str(shipping_amount),
                "taxes": taxes,
                "amount_paid": str(paid.quantize(step)),
                "stripe_charge_ids": charges,
                "note": f"Backer note {number}: please gift-wrap",
                "survey_answers": [
                    {"question": question, "answer": rng.choice(_ANSWERS)}
                    for question in _QUESTIONS[: rng.randint(1, 3)]
                ],
            }
        )
    return orders


def _charge_id(rng: random.Random) -> str:
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    return "ch_" + "".join(rng.choice(alphabet) for _ in range(24))
