"""python manage.py push_orders SHOP FILE --connection NAME [--dry-run] [--no-wait] [--timeout S]

Imports a JSON or JSON Lines file of BackerKit orders (the same contract and validation as the
pull) and pushes them, showing progress; waits until every order of the file is final (or paused)
unless --no-wait. It says what it waits for (the Celery workers, or with no REDIS_URL its own local
worker), never waits on work that nothing will do (no worker answers), and gives up at --timeout
(default 15 min) saying what is left; nothing is lost by giving up, the orders stay queued.
Exit 0 when the file was processed (even if some orders need attention), non-zero when the file
itself cannot be read or the shop is unknown.
"""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count, Min
from django.utils import timezone

from integrations.backerkit.files import UnreadableFile, open_order_file
from integrations.orders import local_worker
from integrations.orders.lane_tasks import push_lane
from integrations.orders.management.progress import ProgressBar
from integrations.orders.models import BackerKitConnection, ImportRun, OrderChange, PushRecord
from integrations.orders.selectors.changes import changes_of_run, unsettled
from integrations.orders.services.change_preview import preview_changes
from integrations.orders.services.imports import file_connection, import_orders
from integrations.orders.services.lanes import mapping_settings
from integrations.orders.services.preview import preview_entries
from integrations.shopify.domains import sanitize_shop_domain
from integrations.shops.models import Shop
from integrations.shops.tokens.access import ShopDisconnected, admin_client_for

State = PushRecord.State
DEFAULT_TIMEOUT = 900.0
# Without progress for this long, check that something still does the work.
STALL_CHECK_SECONDS = 30.0


class Command(BaseCommand):
    help = "Import a JSON / JSON Lines file of BackerKit orders into a shop and push them to Shopify."

    def add_arguments(self, parser):
        parser.add_argument("shop", help="The shop's domain, e.g. my-store.myshopify.com")
        parser.add_argument("file", help="JSON array, {'orders': [...]} or JSON Lines file of BackerKit orders")
        parser.add_argument("--connection", required=True, help="The connected store name (tagged on every order)")
        parser.add_argument("--dry-run", action="store_true", help="Preview what each order would become; send nothing")
        parser.add_argument("--no-wait", action="store_true", help="Return once the orders are queued")
        parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT,
                            help=f"Stop waiting after this many seconds (default {DEFAULT_TIMEOUT:.0f})")  # fmt: skip

    def handle(self, *args, **options):
        domain = sanitize_shop_domain(options["shop"])
        shop = Shop.objects.filter(domain=domain).first() if domain else None
        if shop is None:
            raise CommandError(f"No installed shop named {options['shop']!r}.")
        path = options["file"]
        try:
            order_file = open_order_file(path)
        except UnreadableFile as exc:
            raise CommandError(str(exc)) from exc
        self._path = path
        if options["dry_run"]:
            return self._dry_run(shop=shop, order_file=order_file, store_name=options["connection"])

        # The embedded default (no REDIS_URL): this process's own worker pushes what it imports.
        worker = local_worker.start(push_lane.app)
        connection = file_connection(shop=shop, store_name=options["connection"])
        bar = ProgressBar(total=order_file.count, label="import", stream=self.stdout)
        run = import_orders(
            shop=shop, connection=connection, entries=iter(order_file), source=ImportRun.Source.FILE,
            label=path, on_progress=lambda r: bar.update(r.received),
        )  # fmt: skip
        bar.finish()
        self.stdout.write(
            f"{run.received} orders read: {run.accepted} accepted, {run.refused} refused, "
            f"{run.already_known} already pushed or queued"
            + (f", {run.changes} newer versions of pushed orders" if run.changes else "")
        )
        if connection.status == connection.Status.STOPPED:
            self.stdout.write(self.style.WARNING(f"Connection {connection.store_name}: {connection.stopped_reason}"))
        if options["no_wait"]:
            if worker is not None:
                self.stdout.write(
                    "Queued. No REDIS_URL: this process stops now, so the app's local worker (the web "
                    "process) pushes them; its sweeper finds them within "
                    f"{settings.PUSH_SWEEP_INTERVAL_SECONDS:.0f} s."
                )
        else:
            started = time.monotonic()
            self._wait(run=run, timeout=options["timeout"], worker=worker)
            if run.changes:
                left = max(options["timeout"] - (time.monotonic() - started), 1.0)
                self._wait_for_changes(run=run, timeout=left, worker=worker)
        self._summary(run=run)
        if run.changes:
            self._changes_summary(run=run)
        if worker is not None:
            # Lanes under way finish their record; what is left stays pending for the next worker.
            worker.stop(timeout=settings.PUSH_LANE_BUDGET_SECONDS + 5)

    def _who_pushes(self, worker: "local_worker.LocalWorker | None") -> str | None:
        """Who does the push this command waits for; None when nothing would."""
        if worker is not None:
            return worker.describe() if worker.alive else None
        replies = push_lane.app.control.ping(timeout=2.0)
        return f"the Celery workers ({len(replies)} answered)" if replies else None

    def _wait(self, *, run: ImportRun, timeout: float, worker: "local_worker.LocalWorker | None") -> None:
        records = PushRecord.objects.filter(last_import=run)
        total = records.exclude(state__in=PushRecord.FINAL_STATES).count()
        if not total:
            return
        who = self._who_pushes(worker)
        if who is None:
            self.stdout.write(self.style.WARNING(self._nobody(worker=worker)))
            return
        self.stdout.write(f"Waiting for {total} orders to be pushed by {who}, at most {timeout:.0f} s (--timeout).")
        bar = ProgressBar(total=records.count(), label="push  ", stream=self.stdout)
        deadline = time.monotonic() + timeout
        progress_at, last_final = time.monotonic(), -1
        while True:
            counts = dict(records.values_list("state").annotate(n=Count("id")))
            final = sum(counts.get(state, 0) for state in PushRecord.FINAL_STATES)
            paused = counts.get(State.PAUSED, 0)
            bar.update(final, extra=self._waiting_for(records=records, counts=counts))
            if final + paused >= bar.total:
                break
            now = time.monotonic()
            if final != last_final:
                progress_at, last_final = now, final
            elif now - progress_at > STALL_CHECK_SECONDS:
                progress_at = now
                who = self._who_pushes(worker)
                if who is None:
                    bar.finish()
                    self.stdout.write(self.style.WARNING(self._nobody(worker=worker)))
                    return
            if now > deadline:
                bar.finish()
                self.stdout.write(self.style.WARNING(self._gave_up(timeout=timeout, counts=counts, shop=run.shop,
                                                                   local=worker is not None)))  # fmt: skip
                return
            time.sleep(0.5)
        bar.finish()

    def _wait_for_changes(self, *, run: ImportRun, timeout: float, worker) -> None:
        """Wait until each change of the file is final (applied, or waiting for someone with its reason)."""
        changes = changes_of_run(run_id=run.id)
        total = changes.count()
        if not unsettled(run_id=run.id):
            return
        if self._who_pushes(worker) is None:
            self.stdout.write(self.style.WARNING(self._nobody(worker=worker)))
            return
        bar = ProgressBar(total=total, label="change", stream=self.stdout)
        deadline = time.monotonic() + timeout
        while True:
            left = unsettled(run_id=run.id)
            bar.update(total - left)
            if not left:
                break
            if time.monotonic() > deadline:
                bar.finish()
                self.stdout.write(self.style.WARNING(
                    f"Gave up waiting after {timeout:.0f} s ({left} changes not final yet). Nothing is lost: "
                    f"they stay queued; `manage.py push_report {run.shop.domain} --json` shows where they are."
                ))  # fmt: skip
                return
            time.sleep(0.5)
        bar.finish()

    def _changes_summary(self, *, run: ImportRun) -> None:
        counts = dict(changes_of_run(run_id=run.id).values_list("state").annotate(n=Count("id")))
        labels = OrderChange.State
        self.stdout.write("changes: " + ", ".join(f"{labels(state).label.lower()} {n}"
                                                  for state, n in sorted(counts.items())))  # fmt: skip
        problems = (
            changes_of_run(run_id=run.id)
            .filter(state__in=[labels.NEEDS_ATTENTION, labels.CONFLICT])
            .values_list("record__backerkit_order_id", "reason")[:20]
        )
        for order_id, reason in problems:
            self.stdout.write(f"  {order_id}: {reason}")

    def _waiting_for(self, *, records, counts: dict) -> str:
        parts = []
        if counts.get(State.PAUSED):
            parts.append(f"paused {counts[State.PAUSED]}")
        if counts.get(State.PENDING) and not counts.get(State.PUSHING):
            due = records.filter(state=State.PENDING).aggregate(at=Min("not_before"))["at"]
            if due is not None and due > timezone.now():
                parts.append(f"waiting for Shopify until {due:%H:%M:%S} UTC")
        return ", ".join(parts)

    def _nobody(self, *, worker: "local_worker.LocalWorker | None") -> str:
        if worker is not None:
            return (
                f"This process's local worker stopped ({worker.failure or 'not running'}): nothing pushes the "
                "orders here. Not waiting: they stay queued (pending) for the app's local worker."
            )
        return (
            "No Celery worker answered: nothing would push these orders now. Not waiting: they stay queued "
            "(pending) and are pushed once a worker runs."
        )

    def _gave_up(self, *, timeout: float, counts: dict, shop: Shop, local: bool) -> str:
        labels = ((State.PENDING, "pending"), (State.PUSHING, "being pushed"), (State.PAUSED, "paused"))
        left = ", ".join(f"{counts[state]} {label}" for state, label in labels if counts.get(state))
        goes_on = "the app's local worker (the web process) goes on with them" if local else "the workers go on"
        return (
            f"Gave up waiting after {timeout:.0f} s ({left} not final yet). Nothing is lost: they stay queued "
            f"and {goes_on}; `manage.py push_report {shop.domain}` shows where they are."
        )

    def _summary(self, *, run: ImportRun) -> None:
        records = PushRecord.objects.filter(last_import=run)
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
            shop = Shop.objects.get(id=run.shop_id)
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

    def _dry_run(self, *, shop: Shop, order_file, store_name: str) -> None:
        settings = mapping_settings(shop=shop, connection=BackerKitConnection(shop=shop, store_name=store_name))
        try:
            client = admin_client_for(shop_id=shop.id)
        except ShopDisconnected as exc:
            raise CommandError(f"Cannot preview: {exc}") from exc
        summary = preview_entries(entries=iter(order_file), settings=settings, client=client)
        counts = summary.counts
        self.stdout.write(f"Preview of {len(summary.lines)} orders (nothing sent):")
        for outcome, label in (
            ("PAID", "would be Paid"),
            ("PARTIALLY_PAID", "would be Partially Paid"),
            ("needs_attention", "need attention"),
            ("invalid", "invalid"),
        ):
            self.stdout.write(f"  {label}: {counts.get(outcome, 0)}")
        for reason, n in summary.reasons.most_common(20):
            self.stdout.write(f"  {n} x {reason}")
        changes = preview_changes(shop=shop, entries=iter(open_order_file(self._path)), store_name=store_name)
        if changes:
            self.stdout.write(f"Changes to orders already pushed ({len(changes)}; nothing sent):")
            for line in changes:
                self.stdout.write(f"  {line.order_id} ({line.shopify_order_name}): {line.describe()}")
