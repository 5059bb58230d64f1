"""Importing a campaign (``manage.py push_orders``, its own process) and following the push by
polling the database with deadlines. While PostgreSQL is down the polls fail: they are retried."""

import json
import sys
from collections.abc import Callable
from pathlib import Path

from django.db import DatabaseError, connections
from django.db.models import Count

from drills.stack import DrillError, Stack
from drills.tally import Tally, attempt_outcomes, count_orders, reclaimed_records
from harness.served_process import ServedProcess
from harness.waiting import wait_for
from integrations.orders.models import PushRecord
from integrations.shops.models import Shop

State = PushRecord.State
OPEN_STATES = (State.PENDING, State.PUSHING)


def push_campaign(stack: Stack, shop: Shop, orders: list[dict]) -> None:
    """The campaign as a JSON Lines file, imported (``push_orders``) until every order is a record."""
    stack.expectation.order_ids = [order["id"] for order in orders]
    finish_import(start_import(stack, shop, write_campaign(stack.logs / "campaign.jsonl", orders)))


def count_pushed(stack: Stack, shop: Shop, orders: list[dict], notes: list[str]) -> Tally:
    """Pushing stopped, each order counted; the notes say what the fault did, and how the push coped."""
    stack.stop_pushing()
    tally = count_orders(stack.sim, shop.domain, [order["id"] for order in orders])
    notes.append(f"records claimed again: {reclaimed_records(shop.domain)}; attempts by outcome: "
                 f"{attempt_outcomes(shop.domain)}")  # fmt: skip
    tally.notes = notes
    return tally


def write_campaign(path: Path, orders: list[dict]) -> Path:
    path.write_text("".join(json.dumps(order) + "\n" for order in orders))
    return path


def start_import(stack: Stack, shop: Shop, path: Path, *, connection: str = "Skyforge Store") -> ServedProcess:
    """``push_orders SHOP FILE --no-wait``: the records are written and the lanes queued."""
    number = len(list(stack.logs.glob("push_orders-*.log")))
    argv = [sys.executable, "manage.py", "push_orders", shop.domain, str(path), "--connection", connection,
            "--no-wait"]  # fmt: skip
    return ServedProcess(argv, env=stack.env, log_path=stack.logs / f"push_orders-{number}.log", name="push_orders",
                         own_session=True).start()  # fmt: skip


def finish_import(importer: ServedProcess, *, timeout: float = 180.0) -> None:
    try:
        code = importer.process.wait(timeout=timeout)
    finally:
        importer.stop()
    if code != 0:
        tail = importer.log_path.read_text(errors="replace")[-1500:]
        raise DrillError(f"push_orders exited with {code}: {tail}")


def record_counts(shop_id: int) -> dict[str, int] | None:
    """Records per state; None while the database cannot answer (it is being restarted)."""
    try:
        rows = PushRecord.objects.filter(shop_id=shop_id).values_list("state").annotate(n=Count("id"))
        return dict(rows)
    except DatabaseError:
        connections.close_all()
        return None


def _poll(stack: Stack, condition: Callable[[], bool], *, timeout: float, what: str) -> None:
    """``wait_for``, failing at once when one of the drill's processes died."""

    def alive_and_done() -> bool:
        stack.check_alive()
        return condition()

    wait_for(alive_and_done, timeout=timeout, what=what, interval=0.25)


def wait_mid_push(stack: Stack, shop: Shop, *, pushed: int, total: int, timeout: float = 120.0) -> int:
    """Until at least ``pushed`` orders are in Shopify; the fault must strike while some are not."""
    seen = {}

    def far_enough() -> bool:
        counts = record_counts(shop.id)
        if counts is None:
            return False
        seen.update(counts)
        return counts.get(State.PUSHED, 0) >= pushed

    _poll(stack, far_enough, timeout=timeout, what=f"{pushed} orders to be pushed")
    if seen.get(State.PUSHED, 0) >= total:
        raise DrillError("the push finished before the fault could strike: make the campaign bigger")
    return seen[State.PUSHED]


def wait_settled(
    stack: Stack, shop: Shop, *, records: int, timeout: float, on_paused: Callable[[], None] | None = None
) -> dict[str, int]:
    """Until the shop has ``records`` records and each is final (pushed, needs attention, failed).
    Paused work (the shop disconnected) calls ``on_paused`` once (the merchant reconnects);
    without it, paused work never settles and the drill times out."""
    state: dict = {"counts": {}, "on_paused": on_paused}

    def settled() -> bool:
        counts = record_counts(shop.id)
        if counts is None:
            return False
        state["counts"] = counts
        open_work = sum(counts.get(s, 0) for s in OPEN_STATES)
        paused = counts.get(State.PAUSED, 0)
        if paused and not open_work and state["on_paused"] is not None:
            reconnect, state["on_paused"] = state["on_paused"], None
            reconnect()
            return False
        return sum(counts.values()) >= records and not open_work and not paused

    try:
        _poll(stack, settled, timeout=timeout, what=f"every record of {records} to be final")
    except TimeoutError as exc:
        raise DrillError(f"{exc} (records by state: {state['counts']})") from None
    return state["counts"]


def wait_paused(stack: Stack, shop: Shop, *, timeout: float = 90.0) -> dict[str, int]:
    """Until the shop is disconnected and none of its work is pending or being pushed."""
    state: dict = {"counts": {}}

    def paused() -> bool:
        counts = record_counts(shop.id)
        if counts is None or Shop.objects.get(id=shop.id).status != Shop.Status.DISCONNECTED:
            return False
        state["counts"] = counts
        return not any(counts.get(s, 0) for s in OPEN_STATES)

    _poll(stack, paused, timeout=timeout, what="the shop to be disconnected and its push paused")
    return state["counts"]
