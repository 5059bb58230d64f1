"""The customer's personal data of one order as a Success rep reads it (after asking, logged):
name, email, phone and the shipping address as it would be written on a parcel. Pure."""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class CustomerData:
    name: str = ""
    email: str = ""
    phone: str = ""
    address: list[str] = field(default_factory=list)
    items: list[str] = field(default_factory=list)


def _text(value) -> str:
    return str(value).strip() if value not in (None, "") else ""


def customer_data(order_data: dict | None) -> CustomerData | None:
    if not order_data:
        return None
    address = order_data.get("shipping_address") or {}
    if not isinstance(address, dict):
        address = {}
    name = " ".join(v for v in (_text(address.get("first_name")), _text(address.get("last_name"))) if v)
    city_line = " ".join(
        v for v in (_text(address.get("postal_code")), _text(address.get("city")), _text(address.get("region"))) if v
    )
    lines = [
        _text(address.get("company")),
        _text(address.get("address1")),
        _text(address.get("address2")),
        city_line,
        _text(address.get("country_code")),
    ]
    items = [
        f"{_text(item.get('quantity'))} × {_text(item.get('name'))} ({_text(item.get('sku'))})"
        for item in order_data.get("items") or []
        if isinstance(item, dict)
    ]
    return CustomerData(
        name=name,
        email=_text(order_data.get("email")),
        phone=_text(address.get("phone")),
        address=[line for line in lines if line],
        items=items,
    )
