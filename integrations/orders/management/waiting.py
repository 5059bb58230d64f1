"""Waiting, in a management command, until pushed orders are final (``push_orders``, ``pull_orders``).

It says what it waits for (the Celery workers, or with no REDIS_URL the command's own local worker),
never waits on work that nothing will do (no worker answers), and gives up at the timeout saying
what is left; nothing is lost by giving up, the orders stay queued.
"""

import time

from django.core.management.base import OutputWrapper
from django.core.management.color import Style
from django.db.models import Count, Min, QuerySet
from django.utils import timezone

from integrations.orders import local_worker
from integrations.orders.lane_tasks import push_lane
from integrations.orders.management.progress import ProgressBar
from integrations.orders.models import PushRecord
from integrations.orders.selectors.progress import push_progress
from integrations.shops.models import Shop

State = PushRecord.State
# Without progress for this long, check that something still does the work.
STALL_CHECK_SECONDS = 30.0
# The time left is read from the shop's progress (a few queries) this often, not every poll.
ETA_EVERY_SECONDS = 2.0
# How often the records are counted; in the last second of the push (by the pace of the last poll),
# more often, so the command ends when the push does, not up to half a second later.
POLL_SECONDS = 0.5
FINISHING_POLL_SECONDS = 0.1


class PushWaiter:
    def __init__(self, *, stdout: OutputWrapper, style: Style, worker: "local_worker.LocalWorker | None"):
        self.stdout, self.style, self.worker = stdout, style, worker

    def who_pushes(self) -> str | None:
        """Who does the push this command waits for; None when nothing would."""
        if self.worker is not None:
            return self.worker.describe() if self.worker.alive else None
        replies = push_lane.app.control.ping(timeout=2.0)
        return f"the Celery workers ({len(replies)} answered)" if replies else None

    def wait(self, *, records: QuerySet, shop: Shop, timeout: float) -> None:
        total = records.exclude(state__in=PushRecord.FINAL_STATES).count()
        if not total:
            return
        who = self.who_pushes()
        if who is None:
            self.stdout.write(self.style.WARNING(self.nobody()))
            return
        self.stdout.write(f"Waiting for {total} orders to be pushed by {who}, at most {timeout:.0f} s (--timeout).")
        bar = ProgressBar(total=records.count(), label="push  ", stream=self.stdout)
        deadline = time.monotonic() + timeout
        progress_at, last_final = time.monotonic(), -1
        eta_at, eta = 0.0, None
        polled_at, polled_final = time.monotonic(), 0
        while True:
            counts = dict(records.values_list("state").annotate(n=Count("id")))
            final = sum(counts.get(state, 0) for state in PushRecord.FINAL_STATES)
            paused = counts.get(State.PAUSED, 0)
            if time.monotonic() - eta_at >= ETA_EVERY_SECONDS:  # the shop's time left: calls and bulk lines
                eta_at, eta = time.monotonic(), push_progress(shop_id=shop.id).eta_seconds
            bar.update(final, extra=self._waiting_for(records=records, counts=counts), eta_seconds=eta)
            if final + paused >= bar.total:
                break
            now = time.monotonic()
            if final != last_final:
                progress_at, last_final = now, final
            elif now - progress_at > STALL_CHECK_SECONDS:
                progress_at = now
                if self.who_pushes() is None:
                    bar.finish()
                    self.stdout.write(self.style.WARNING(self.nobody()))
                    return
            if now > deadline:
                bar.finish()
                self.stdout.write(self.style.WARNING(self._gave_up(timeout=timeout, counts=counts, shop=shop)))
                return
            time.sleep(_poll_seconds(left=bar.total - final - paused, done=final - polled_final, over=now - polled_at))
            polled_at, polled_final = now, final
        bar.finish()

    def _waiting_for(self, *, records: QuerySet, counts: dict) -> str:
        parts = []
        if counts.get(State.PAUSED):
            parts.append(f"paused {counts[State.PAUSED]}")
        if counts.get(State.PENDING) and not counts.get(State.PUSHING):
            due = records.filter(state=State.PENDING).aggregate(at=Min("not_before"))["at"]
            if due is not None and due > timezone.now():
                parts.append(f"waiting for Shopify until {due:%H:%M:%S} UTC")
        return ", ".join(parts)

    def nobody(self) -> str:
        if self.worker is not None:
            return (
                f"This process's local worker stopped ({self.worker.failure or 'not running'}): nothing pushes the "
                "orders here. Not waiting: they stay queued (pending) for the app's local worker."
            )
        return (
            "No Celery worker answered: nothing would push these orders now. Not waiting: they stay queued "
            "(pending) and are pushed once a worker runs."
        )

    def _gave_up(self, *, timeout: float, counts: dict, shop: Shop) -> str:
        labels = ((State.PENDING, "pending"), (State.PUSHING, "being pushed"), (State.PAUSED, "paused"))
        left = ", ".join(f"{counts[state]} {label}" for state, label in labels if counts.get(state))
        local = self.worker is not None
        goes_on = "the app's local worker (the web process) goes on with them" if local else "the workers go on"
        return (
            f"Gave up waiting after {timeout:.0f} s ({left} not final yet). Nothing is lost: they stay queued "
            f"and {goes_on}; `manage.py push_report {shop.domain}` shows where they are."
        )

    def summary(self, *, records: QuerySet, shop_id: int) -> None:
        pushed = records.filter(state=State.PUSHED)
        lines = [
            f"pushed: {pushed.count()}",
            f"  Paid: {pushed.filter(financial_status='PAID').count()}",
            f"  Partially Paid: {pushed.filter(financial_status='PARTIALLY_PAID').count()}",
            f"needs attention: {records.filter(state=State.NEEDS_ATTENTION).count()}",
            f"failed: {records.filter(state=State.FAILED).count()}",
        ]
        paused = records.filter(state=State.PAUSED).count()
        if paused:
            shop = Shop.objects.get(id=shop_id)
            if shop.push_hold:  # the push holds the shop itself (frozen, locked, repeated errors)
                lines.append(f"paused: {paused} ({shop.push_hold_reason})")
            else:
                reason = shop.disconnected_reason or "pushes are paused"
                lines.append(f"paused: {paused} ({reason}; they resume after Reconnect)")
        self.stdout.write("\n".join(lines))
        problems = records.filter(state__in=[State.NEEDS_ATTENTION, State.FAILED]).values_list(
            "backerkit_order_id", "last_error"
        )[:20]
        for order_id, error in problems:
            self.stdout.write(f"  {order_id}: {error}")


def _poll_seconds(*, left: int, done: int, over: float) -> float:
    """How long to wait before counting again: ``left`` records not final, ``done`` of them made
    final over the last ``over`` seconds."""
    if done > 0 and over > 0 and left * over / done <= 1.0:
        return FINISHING_POLL_SECONDS
    return POLL_SECONDS
