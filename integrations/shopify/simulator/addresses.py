"""Mailing-address checks orderCreate applies: a real country, and a province where one is required.

Shopify requires a province (zone) for the countries whose checkout asks for one; for those, a
missing or unknown ``provinceCode`` is refused. The codes here come from ISO 3166-2 (pycountry) for
the countries where Shopify uses the same codes; US military "states" (AA, AE, AP) are Shopify's too.
https://shopify.dev/docs/api/admin-graphql/latest/input-objects/MailingAddressInput
"""

from typing import Any

import pycountry

# Countries whose addresses need a province, with Shopify codes equal to ISO 3166-2 subdivisions.
PROVINCE_COUNTRIES = frozenset({"US", "CA", "AU", "BR", "IN", "IT", "ES"})
_EXTRA_CODES = {"US": {"AA", "AE", "AP"}}
_provinces: dict[str, dict[str, str]] = {}


def provinces(country_code: str) -> dict[str, str]:
    """``{"CA": "California", ...}`` for a country that requires provinces."""
    if country_code not in _provinces:
        subdivisions = pycountry.subdivisions.get(country_code=country_code) or []
        codes = {s.code.split("-", 1)[1]: s.name for s in subdivisions}
        codes |= {code: code for code in _EXTRA_CODES.get(country_code, ())}
        _provinces[country_code] = codes
    return _provinces[country_code]


def address_errors(address: dict[str, Any] | None, path: list[str]) -> list[dict[str, Any]]:
    """userErrors for one ``MailingAddressInput`` (empty when acceptable)."""
    if not address:
        return []
    country_code = address.get("countryCode")
    if country_code is None:
        return []
    if pycountry.countries.get(alpha_2=country_code) is None:
        return [_error(path + ["countryCode"], f"Country code {country_code} is invalid")]
    if country_code not in PROVINCE_COUNTRIES:
        return []
    province = (address.get("provinceCode") or "").upper().removeprefix(f"{country_code}-")
    if not province:
        return [_error(path + ["provinceCode"], f"Province can't be blank for {country_code}")]
    if province not in provinces(country_code):
        return [_error(path + ["provinceCode"], f"Province code {province} is invalid for {country_code}")]
    return []


def normalized(address: dict[str, Any] | None) -> dict[str, Any] | None:
    """The stored address: codes upper-cased, country and province names filled in."""
    if not address:
        return None
    stored = dict(address)
    country_code = stored.get("countryCode")
    country = pycountry.countries.get(alpha_2=country_code) if country_code else None
    stored["countryName"] = country.name if country else stored.get("country")
    if country_code in PROVINCE_COUNTRIES and stored.get("provinceCode"):
        code = stored["provinceCode"].upper().removeprefix(f"{country_code}-")
        stored["provinceCode"] = code
        stored["provinceName"] = provinces(country_code).get(code)
    else:
        stored["provinceName"] = stored.get("province")
    return stored


def _error(field: list[str], message: str) -> dict[str, Any]:
    return {"field": field, "message": message, "code": "INVALID"}
