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
from django.db.models import Count

from integrations.backerkit.files import UnreadableFile, open_order_file
from integrations.orders import local_worker
from integrations.orders.lane_tasks import push_lane
from integrations.orders.management.progress import ProgressBar
from integrations.orders.management.waiting import PushWaiter
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
        if options["no_wait"] and worker is not None:
            self.stdout.write(
                "Queued. No REDIS_URL: this process stops now, so the app's local worker (the web "
                "process) pushes them; its sweeper finds them within "
                f"{settings.PUSH_SWEEP_INTERVAL_SECONDS:.0f} s."
            )
        records = PushRecord.objects.filter(last_import=run)
        waiter = PushWaiter(stdout=self.stdout, style=self.style, worker=worker)
        if not options["no_wait"]:
            started = time.monotonic()
            waiter.wait(records=records, shop=shop, timeout=options["timeout"])
            if run.changes:
                left = max(options["timeout"] - (time.monotonic() - started), 1.0)
                self._wait_for_changes(run=run, timeout=left, waiter=waiter)
        waiter.summary(records=records, shop_id=run.shop_id)
        if run.changes:
            self._changes_summary(run=run)
        if worker is not None:
            # Lanes under way finish their record; what is left stays pending for the next worker.
            worker.stop(timeout=settings.PUSH_LANE_BUDGET_SECONDS + 5)

    def _wait_for_changes(self, *, run: ImportRun, timeout: float, waiter: PushWaiter) -> None:
        """Wait until each change of the file is final (applied, or waiting for someone with its reason)."""
        changes = changes_of_run(run_id=run.id)
        total = changes.count()
        if not unsettled(run_id=run.id):
            return
        if waiter.who_pushes() is None:
            self.stdout.write(self.style.WARNING(waiter.nobody()))
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
