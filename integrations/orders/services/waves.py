"""Waves of a shop: created from rules, each validated order in at most one, counted per wave.

Rules (all that are given must match; an empty rule matches anything): the shipping country, a SKU
present, the BackerKit connection, the backer id; ``rest`` takes every order no earlier wave took.
Waves are tried in ``position`` order, the first match wins. An order whose items are in several SKU
waves belongs to the latest of them (by ship date) and also to each earlier one for its lines: one
``WaveMember`` per (record, wave), the earlier ones with the SKUs they hold (``skus``), split off in
Shopify with a partial hold (services/wave_holds.py). Assigned when a wave is created and for every
record that arrives later (a late pledge follows its wave: held if the wave is not released).
The pages, the ``waves`` command and the staff console call these functions, audited alike.
"""

import logging
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.db import IntegrityError, transaction

from integrations.backerkit.orders import BackerKitOrder
from integrations.orders.models import BackerKitConnection, PushRecord, Wave, WaveMember, WaveSettings
from integrations.orders.services.push import read_order
from integrations.shops.models import Shop
from integrations.shops.tokens.scopes import missing_scopes

HOLD_SCOPES = ("write_merchant_managed_fulfillment_orders",)

logger = logging.getLogger(__name__)

Hold = WaveMember.Hold
# Orders whose state can still change wave: not pushed yet (a pushed order keeps the wave it had).
_UNPUSHED = (PushRecord.State.PENDING, PushRecord.State.PAUSED, PushRecord.State.NEEDS_ATTENTION,
             PushRecord.State.FAILED)  # fmt: skip


class WaveError(ValueError):
    """A wave that cannot be created or changed as asked (the message says why, for the merchant)."""


@dataclass(frozen=True)
class Rules:
    countries: tuple[str, ...] = ()
    skus: tuple[str, ...] = ()
    connection_id: int | None = None
    backer_ids: frozenset[str] = frozenset()
    rest: bool = False

    @classmethod
    def of(cls, wave: Wave) -> "Rules":
        return cls(tuple(wave.countries or ()), tuple(wave.skus or ()), wave.connection_id,
                   frozenset(wave.backer_ids or ()), wave.rest)  # fmt: skip

    def matches(self, *, order: BackerKitOrder, record: PushRecord) -> bool:
        if self.rest:
            return True
        if self.countries and order.shipping_address.country_code.upper() not in self.countries:
            return False
        if self.skus and not any(item.sku in self.skus for item in order.items):
            return False
        if self.connection_id is not None and record.connection_id != self.connection_id:
            return False
        return not self.backer_ids or record.backer_id in self.backer_ids


@dataclass
class Counts:
    """Orders per wave name (and those in none), before or after saving."""

    per_wave: dict[str, int] = field(default_factory=dict)
    unmatched: int = 0


def wave_settings(shop: Shop) -> WaveSettings:
    found, _ = WaveSettings.objects.get_or_create(shop=shop)
    return found


def set_push_orders_held(*, shop: Shop, on: bool, by: str) -> WaveSettings:
    missing = missing_scopes(shop.scopes, needed=HOLD_SCOPES)
    if on and missing:
        raise WaveError(
            f"Holding orders needs Shopify access the app does not have yet ({', '.join(missing)}): "
            "Reconnect the store to grant it, then turn this on."
        )
    settings = wave_settings(shop)
    WaveSettings.objects.filter(id=settings.id).update(push_orders_held=on)
    settings.push_orders_held = on
    logger.info("waves.push_held_set", extra={"shop_id": shop.id, "on": on, "by": by})
    return settings


def rules_from(*, shop: Shop, countries=(), skus=(), connection_name: str = "", backer_ids=(), rest=False) -> Rules:
    """The rules as given on the page or the command line, checked (WaveError says what is wrong)."""
    return _clean_rules(shop=shop, countries=countries, skus=skus, connection_name=connection_name,
                        backer_ids=backer_ids, rest=rest)  # fmt: skip


def _clean_rules(*, shop: Shop, countries, skus, connection_name, backer_ids, rest) -> Rules:
    countries = tuple(sorted({c.strip().upper() for c in countries or () if c.strip()}))
    bad = [c for c in countries if len(c) != 2 or not c.isalpha()]
    if bad:
        raise WaveError(f"Countries are two-letter codes (US, CA, DE...): {', '.join(bad)} is not one.")
    connection_id = None
    if connection_name:
        connection = BackerKitConnection.objects.filter(shop=shop, store_name=connection_name).first()
        if connection is None:
            raise WaveError(f"No BackerKit connection named {connection_name!r} in this store.")
        connection_id = connection.id
    rules = Rules(countries, tuple(sorted({s.strip() for s in skus or () if s.strip()})), connection_id,
                  frozenset(b.strip() for b in backer_ids or () if b.strip()), bool(rest))  # fmt: skip
    if not rules.rest and not (rules.countries or rules.skus or rules.connection_id or rules.backer_ids):
        raise WaveError("Give the wave at least one rule (countries, SKUs, connection, backers), or make it the rest.")
    return rules


def _in_order(shop: Shop) -> list[Wave]:
    """The order rules are tried in: by position, "the rest" last."""
    return sorted(Wave.objects.filter(shop=shop), key=lambda w: (w.rest, w.position, w.id))


def _validated(shop: Shop) -> Iterable[tuple[PushRecord, BackerKitOrder]]:
    records = PushRecord.objects.filter(shop=shop, invalid_input=False).order_by("id")
    for record in records.iterator(chunk_size=500):
        order = read_order(record)
        if isinstance(order, BackerKitOrder):
            yield record, order


@dataclass(frozen=True)
class _Candidate:
    key: object  # the Wave, or the name of a wave not saved yet (the preview's)
    name: str
    rules: Rules
    ship_date: date | None
    position: int


def _candidates(shop: Shop, extra: tuple[str, Rules] | None = None) -> list[_Candidate]:
    found = [_Candidate(w, w.name, Rules.of(w), w.ship_date, w.position) for w in _in_order(shop)]
    if extra:
        found.append(_Candidate(extra[0], extra[0], extra[1], None, 10**9))
    return sorted(found, key=lambda c: c.rules.rest)


def wave_of(
    order: BackerKitOrder, record: PushRecord, candidates: list[_Candidate]
) -> tuple[_Candidate | None, list[str]]:
    """The order's wave (of an order whose items are in several SKU waves: the latest, by ship date,
    which holds the rest of it), and the earlier SKU waves some of its items belong to."""
    matching = [c for c in candidates if c.rules.matches(order=order, record=record)]
    by_sku = [c for c in matching if c.rules.skus]
    if len(by_sku) > 1:
        latest = max(by_sku, key=lambda c: (c.ship_date or date.max, c.position))
        return latest, [c.name for c in by_sku if c is not latest]
    return (matching[0] if matching else None), []


def placement(
    order: BackerKitOrder, record: PushRecord, candidates: list[_Candidate]
) -> list[tuple[_Candidate, list[str]]]:
    """Each wave the order is held by, with the SKUs of its lines it holds; the order's wave last,
    with ``[]`` (the rest of the order). Earlier SKU waves hold their lines with a partial hold."""
    chosen, others = wave_of(order, record, candidates)
    if chosen is None:
        return []
    skus_in_order = {item.sku for item in order.items}
    earlier = []
    for candidate in candidates:
        if candidate.name in others:
            lines = sorted((skus_in_order & set(candidate.rules.skus)) - set(chosen.rules.skus))
            if lines:
                earlier.append((candidate, lines))
    return [*earlier, (chosen, [])]


def preview_counts(*, shop: Shop, extra: tuple[str, Rules] | None = None) -> Counts:
    """What each wave would hold (with ``extra`` appended as a new wave), and what matches none."""
    candidates = _candidates(shop, extra)
    counts, unmatched = Counter(), 0
    for record, order in _validated(shop):
        chosen, _others = wave_of(order, record, candidates)
        if chosen is None:
            unmatched += 1
        else:
            counts[chosen.name] += 1
    return Counts(per_wave={c.name: counts.get(c.name, 0) for c in candidates}, unmatched=unmatched)


def create_wave(
    *, shop: Shop, name: str, by: str, countries=(), skus=(), connection_name: str = "", backer_ids=(),
    rest: bool = False, ship_date: date | None = None,
) -> Wave:  # fmt: skip
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise WaveError("A wave needs a name of at most 100 characters.")
    rules = _clean_rules(shop=shop, countries=countries, skus=skus, connection_name=connection_name,
                         backer_ids=backer_ids, rest=rest)  # fmt: skip
    last = Wave.objects.filter(shop=shop).order_by("-position").values_list("position", flat=True).first()
    try:
        with transaction.atomic():
            wave = Wave.objects.create(
                shop=shop, name=name, position=(last or 0) + 1, ship_date=ship_date, countries=list(rules.countries),
                skus=list(rules.skus), connection_id=rules.connection_id, backer_ids=sorted(rules.backer_ids),
                rest=rules.rest,
            )  # fmt: skip
    except IntegrityError:
        raise WaveError(f"This store already has a wave named {name!r}.") from None
    assigned = assign_members(shop=shop)
    logger.info("waves.created", extra={"shop_id": shop.id, "wave_id": wave.id, "by": by, "assigned": assigned})
    return wave


def assign_members(*, shop: Shop, record_ids: Iterable[int] | None = None) -> int:
    """Give each validated record without a wave the first wave whose rules match it; records not
    pushed yet may move to a wave created since (the rules changed), pushed ones keep theirs."""
    candidates = _candidates(shop)
    if not candidates:
        return 0
    record_ids = None if record_ids is None else list(record_ids)
    scope = WaveMember.objects.filter(wave__shop=shop)
    if record_ids is not None:
        scope = scope.filter(record_id__in=record_ids)
    members: dict[int, list[WaveMember]] = {}
    for member in scope:
        members.setdefault(member.record_id, []).append(member)
    assigned = 0
    records = _validated(shop) if record_ids is None else _validated_ids(shop, record_ids)
    for record, order in records:
        wanted = {c.key.id: skus for c, skus in placement(order, record, candidates)}
        current = members.get(record.id, [])
        country = order.shipping_address.country_code.upper()
        if {m.wave_id: m.skus for m in current} == wanted:
            continue
        if current and not (record.state in _UNPUSHED and all(m.hold_state == Hold.NOT_HELD for m in current)):
            continue  # pushed (or held): it keeps its waves
        with transaction.atomic():
            WaveMember.objects.filter(id__in=[m.id for m in current], hold_state=Hold.NOT_HELD).delete()
            for wave_id, skus in wanted.items():
                WaveMember.objects.get_or_create(record=record, wave_id=wave_id,
                                                 defaults={"country": country, "skus": skus})  # fmt: skip
        assigned += 0 if current else 1
    return assigned


def _validated_ids(shop: Shop, record_ids: Iterable[int]) -> Iterable[tuple[PushRecord, BackerKitOrder]]:
    for record in PushRecord.objects.filter(shop=shop, id__in=list(record_ids), invalid_input=False):
        order = read_order(record)
        if isinstance(order, BackerKitOrder):
            yield record, order


def find_wave(*, shop: Shop, name: str) -> Wave:
    wave = Wave.objects.filter(shop=shop, name=name).first()
    if wave is None:
        raise WaveError(f"No wave named {name!r} in this store.")
    return wave
