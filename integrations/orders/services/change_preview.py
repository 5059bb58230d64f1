"""The dry run of changes: what a file would change in orders already pushed, order by order,
nothing written and nothing sent (the same classification as the import)."""

from collections.abc import Iterable
from dataclasses import dataclass
from itertools import islice
from typing import Any

from integrations.backerkit.files import EntryError
from integrations.backerkit.orders import InvalidOrder, validate_order
from integrations.orders.models import PushRecord
from integrations.orders.services.change_intake import applies_by_itself, classify_incoming, settings_for
from integrations.orders.services.change_steps import KIND_WORDS
from integrations.orders.services.imports import storable
from integrations.shops.models import Shop

CHUNK = 500


@dataclass(frozen=True)
class ChangeLine:
    order_id: str
    shopify_order_name: str
    kinds: tuple[str, ...]
    fields: tuple[str, ...]
    automatic: bool

    def describe(self) -> str:
        kinds = ", ".join(KIND_WORDS[kind] for kind in self.kinds)
        when = "applied automatically" if self.automatic else "waits for your approval"
        return f"{kinds} ({', '.join(self.fields)}); {when}"


def preview_changes(*, shop: Shop, entries: Iterable[tuple[int, Any]], store_name: str) -> list[ChangeLine]:
    choice = settings_for(shop.id)
    lines: list[ChangeLine] = []
    iterator = iter(entries)
    while chunk := list(islice(iterator, CHUNK)):
        valid = {}
        for _, entry in chunk:
            if isinstance(entry, EntryError):
                continue
            try:
                valid[validate_order(entry).id] = entry
            except InvalidOrder:
                continue
        records = PushRecord.objects.filter(shop=shop, backerkit_order_id__in=list(valid),
                                            state=PushRecord.State.PUSHED).select_related("connection")  # fmt: skip
        for record in records.order_by("id"):
            raw = valid[record.backerkit_order_id]
            stored = storable(raw)
            found = classify_incoming(record=record, order=validate_order(raw), stored=stored, store_name=store_name)
            if found is None or found[0].verdict != "changed":
                continue
            result = found[0]
            lines.append(ChangeLine(record.backerkit_order_id, record.shopify_order_name, result.kinds,
                                    tuple(result.fields), applies_by_itself(result.kinds, choice)))  # fmt: skip
    return lines
