"""``{% money amount currency %}``: an amount in its own currency's digits and symbol, in the
merchant's locale (Babel's ``format_currency``, CLDR data): ``¥1,500``, ``KWD 12.345``, ``$90.44``;
``1.500 ¥`` for a German admin.

Digits are ISO 4217's, the ones the amount is validated, stored and sent to Shopify with
(``currency_exponent``), not CLDR's display digits: CLDR shows IQD, LBP, RSD... without decimals,
which would hide a stored 12.345 IQD as "IQD12". The symbol and the separators are the locale's.

The locale is the one the Shopify admin gives the embedded app (``?locale=``, kept on every link),
else the browser's ``Accept-Language``, else English.
"""

import copy
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from babel import Locale, UnknownLocaleError
from babel.numbers import NumberPattern
from django import template

from integrations.backerkit.orders import currency_exponent

register = template.Library()

DEFAULT_LOCALE = "en"
NO_AMOUNT = "—"


def format_money(amount, currency: str, locale: str = DEFAULT_LOCALE) -> str:
    """``amount`` with the currency's own decimal places (JPY 0, USD 2, KWD 3) and symbol."""
    if amount is None or amount == "":
        return NO_AMOUNT
    try:
        value = amount if isinstance(amount, Decimal) else Decimal(str(amount))
    except InvalidOperation:
        return str(amount)
    if not currency:
        return str(value)
    return _pattern(locale, currency_exponent(currency)).apply(value, locale, currency=currency, currency_digits=False)


@lru_cache(maxsize=256)
def _pattern(locale: str, digits: int) -> NumberPattern:
    """The locale's currency pattern with exactly ``digits`` decimal places."""
    pattern = copy.copy(Locale.parse(locale).currency_formats["standard"])
    pattern.frac_prec = (digits, digits)
    return pattern


def _parse(tag: str) -> str | None:
    try:
        return str(Locale.parse(tag.strip().replace("-", "_")))
    except (ValueError, TypeError, UnknownLocaleError):
        return None


def request_locale(request) -> str:
    """The merchant's locale for this request (cached on it)."""
    cached = getattr(request, "_money_locale", None)
    if cached:
        return cached
    candidates = [request.GET.get("locale", "")] if request is not None else []
    header = request.headers.get("Accept-Language", "") if request is not None else ""
    # "fr-CA,fr;q=0.9,en;q=0.8": browsers send them best first.
    candidates += [part.split(";", 1)[0] for part in header.split(",")]
    locale = next((parsed for tag in candidates if tag.strip() and tag.strip() != "*" and (parsed := _parse(tag))),
                  DEFAULT_LOCALE)  # fmt: skip
    if request is not None:
        request._money_locale = locale
    return locale


@register.simple_tag(takes_context=True)
def money(context, amount, currency: str = "") -> str:
    return format_money(amount, currency, request_locale(context.get("request")))
