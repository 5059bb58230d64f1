"""Drills 7-8: what comes in. The same campaign imported twice at once while BackerKit is pulled
twice at once (one record and one Shopify order per order, whoever gets there first); and 1,000
hostile inputs mixed into a valid campaign (integrations/backerkit/simulator/hostile.py): each bad
one refused with a reason naming the order and the field, each good one pushed, intact."""

import json
import random
from collections import Counter

import httpx

from drills.drill import Drill
from drills.pushing import finish_import, start_import, wait_settled, write_campaign
from drills.shops import open_shop
from drills.stack import BACKERKIT_KEY, BACKERKIT_PROJECT, DrillError, Stack, StackOptions
from drills.tally import Tally, count_orders, reason_group, shopify_orders_by_source
from integrations.backerkit.simulator.campaign import generate_campaign
from integrations.backerkit.simulator.hostile import NOT_JSON, HostileInput, hostile_inputs
from integrations.orders.models import BackerKitConnection, ImportRun, PushRecord

CAMPAIGN = 300
HOSTILE = 1000
VALID_AMONG_HOSTILE = 200  # valid campaign orders the hostile lines are mixed into
STORE_NAME = "Skyforge Store"


def same_campaign_twice_and_pulled(stack: Stack) -> Tally:
    from shopapp.celery import app

    domain = "drill-double-import.myshopify.com"
    shop = open_shop(stack, domain)
    orders = generate_campaign(backers=CAMPAIGN, seed=7, id_prefix="twice")
    stack.expectation.order_ids = [o["id"] for o in orders]
    with httpx.Client(base_url=stack.backerkit_url, timeout=60) as backerkit:
        added = backerkit.post(f"/_simulator/projects/{BACKERKIT_PROJECT}/orders", json={"orders": orders})
        added.raise_for_status()
    connection = BackerKitConnection.objects.create(
        shop=shop, kind=BackerKitConnection.Kind.API, store_name=STORE_NAME, project=BACKERKIT_PROJECT,
        api_key=BACKERKIT_KEY, currency="USD",
    )  # fmt: skip
    path = write_campaign(stack.logs / "campaign.jsonl", orders)

    importers = [start_import(stack, shop, path, connection=STORE_NAME) for _ in range(2)]
    for _ in range(2):
        app.send_task("orders.pull_connection", args=[connection.id])
    for importer in importers:
        finish_import(importer)
    wait_settled(stack, shop, records=len(orders), timeout=150)

    stack.stop_pushing()
    records = PushRecord.objects.filter(shop=shop).count()
    if records != len(orders):
        raise DrillError(f"{records} push records for {len(orders)} orders")
    runs = Counter(ImportRun.objects.filter(shop=shop).values_list("source", flat=True))
    tally = count_orders(stack.sim, domain, [o["id"] for o in orders])
    tally.notes = [f"two push_orders of the same file and two BackerKit pulls at once: {runs['file']} file imports, "
                   f"{runs['pull']} pulled pages; {records} records for {len(orders)} orders"]  # fmt: skip
    return tally


def hostile_inputs_mixed_in(stack: Stack) -> Tally:
    domain = "drill-hostile.myshopify.com"
    shop = open_shop(stack, domain)
    valid = generate_campaign(backers=VALID_AMONG_HOSTILE, seed=8, id_prefix="valid")
    hostile = hostile_inputs(count=HOSTILE, seed=8, templates=generate_campaign(backers=40, seed=9, id_prefix="t"))
    lines: list[dict | HostileInput] = [*valid[1:], *hostile]
    random.Random(8).shuffle(lines)
    lines.insert(0, valid[0])  # a file whose first line is an order is read as JSON Lines
    path = stack.logs / "hostile.jsonl"
    path.write_bytes(b"".join((h.line if isinstance(h, HostileInput) else json.dumps(h).encode()) + b"\n"
                              for h in lines))  # fmt: skip
    good_ids = [_order_id(line) for line in lines if not isinstance(line, HostileInput) or line.refused_field is None]
    stack.expectation.order_ids = good_ids

    finish_import(start_import(stack, shop, path))
    wait_settled(stack, shop, records=len(lines), timeout=200)
    stack.stop_pushing()

    tally = count_orders(stack.sim, domain, good_ids)
    _check_refusals(tally, shop_domain=domain, label=str(path), lines=lines)
    _check_payloads(tally, stack, domain, lines)
    good_hostile = sum(1 for line in lines if isinstance(line, HostileInput) and line.refused_field is None)
    tally.notes.insert(0, f"{len(lines)} lines: {len(valid)} campaign orders, {HOSTILE} hostile "
                          f"({good_hostile} valid however odd, {HOSTILE - good_hostile} to refuse)")  # fmt: skip
    return tally


def _order_id(line: dict | HostileInput) -> str:
    return json.loads(line.line)["id"] if isinstance(line, HostileInput) else line["id"]


def _check_refusals(tally: Tally, *, shop_domain: str, label: str, lines: list) -> None:
    """Every bad line: a failed record (invalid input) whose reason names the order -- its id, or
    its line when it has no usable id -- and the field at fault."""
    records = {
        key: (state, invalid, error)
        for key, state, invalid, error in PushRecord.objects.filter(shop__domain=shop_domain).values_list(
            "backerkit_order_id", "state", "invalid_input", "last_error"
        )
    }
    by_kind: dict[str, list[int]] = {}
    examples: list[str] = []
    for number, line in enumerate(lines, start=1):
        if not isinstance(line, HostileInput) or line.refused_field is None:
            continue
        key = line.order_id or f"{label}#{number}"[:255]
        state, invalid, error = records.get(key, (None, False, ""))
        named_order = f"order {line.order_id}" in error if line.order_id else key in records
        named_field = f"line {number}" in error if line.refused_field == NOT_JSON else line.refused_field in error
        right = state == PushRecord.State.FAILED and invalid and named_order and named_field
        tally.refusal_reasons[reason_group(error.partition(": ")[2] if line.order_id else error)] += 1
        counts = by_kind.setdefault(line.kind, [0, 0])
        counts[0] += right
        counts[1] += 1
        if not right and len(examples) < 5:
            examples.append(f"line {number} ({line.kind}, {line.refused_field}): record {state}, {error[:150]!r}")
    tally.refused = sum(right for right, _ in by_kind.values())
    tally.refusals_expected = sum(total for _, total in by_kind.values())
    tally.refusals_by_kind = {kind: (right, total) for kind, (right, total) in sorted(by_kind.items())}
    tally.problems.extend(examples)


def _check_payloads(tally: Tally, stack: Stack, domain: str, lines: list) -> None:
    """Valid hostile text arrives in Shopify as it was sent (not escaped, cut or mangled); notes and
    survey answers never arrive."""
    in_shopify = shopify_orders_by_source(stack.sim, domain)
    mangled = leaked = 0
    for line in lines:
        if not isinstance(line, HostileInput) or line.refused_field is not None:
            continue
        orders = in_shopify.get(_order_id(line), [])
        if not orders:
            continue  # counted as lost or needing attention already
        texts = list(_strings(orders[0]))
        present = any(line.payload in text for text in texts)
        if line.payload_pushed and not present:
            mangled += 1
            tally.problem(f"{_order_id(line)[:40]}: {line.payload[:40]!r} did not arrive intact")
        elif not line.payload_pushed and present and len(line.payload) > 12:
            leaked += 1
            tally.problem(f"{_order_id(line)[:40]}: a note or survey answer reached Shopify")
    tally.lost += mangled + leaked
    tally.notes.append(f"hostile text in Shopify's orders: {mangled} mangled, {leaked} never-pushed texts leaked")


def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


DRILLS = (
    Drill(
        7,
        "double-import",
        "same campaign imported twice, pulled at once",
        same_campaign_twice_and_pulled,
        options=StackOptions(backerkit=True),
    ),  # fmt: skip
    Drill(
        8,
        "hostile-inputs",
        "1,000 hostile inputs in a valid campaign",
        hostile_inputs_mixed_in,
    ),  # fmt: skip
)
