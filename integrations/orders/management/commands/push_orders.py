"""python manage.py push_orders SHOP FILE --connection NAME [--dry-run] [--no-wait]

Imports a JSON or JSON Lines file of BackerKit orders (the same contract and validation as the
pull) and pushes them, showing progress; waits until every order of the file is final unless
--no-wait. Exit 0 when the file was processed (even if some orders need attention), non-zero when
the file itself cannot be read or the shop is unknown.
"""

import time

from django.core.management.base import BaseCommand, CommandError

from integrations.backerkit.files import UnreadableFile, open_order_file
from integrations.orders.management.progress import ProgressBar
from integrations.orders.models import BackerKitConnection, ImportRun, PushRecord
from integrations.orders.services.imports import file_connection, import_orders
from integrations.orders.services.lanes import mapping_settings
from integrations.orders.services.preview import preview_entries
from integrations.shopify.domains import sanitize_shop_domain
from integrations.shops.models import Shop
from integrations.shops.tokens.access import ShopDisconnected, admin_client_for

State = PushRecord.State


class Command(BaseCommand):
    help = "Import a JSON / JSON Lines file of BackerKit orders into a shop and push them to Shopify."

    def add_arguments(self, parser):
        parser.add_argument("shop", help="The shop's domain, e.g. my-store.myshopify.com")
        parser.add_argument("file", help="JSON array, {'orders': [...]} or JSON Lines file of BackerKit orders")
        parser.add_argument("--connection", required=True, help="The connected store name (tagged on every order)")
        parser.add_argument("--dry-run", action="store_true", help="Preview what each order would become; send nothing")
        parser.add_argument("--no-wait", action="store_true", help="Return once the orders are queued")
        parser.add_argument("--timeout", type=float, default=None, help="Stop waiting after this many seconds")

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
        if options["dry_run"]:
            return self._dry_run(shop=shop, order_file=order_file, store_name=options["connection"])

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
        )
        if connection.status == connection.Status.STOPPED:
            self.stdout.write(self.style.WARNING(f"Connection {connection.store_name}: {connection.stopped_reason}"))
        if not options["no_wait"]:
            self._wait(run=run, timeout=options["timeout"])
        self._summary(run=run)

    def _wait(self, *, run: ImportRun, timeout: float | None) -> None:
        records = PushRecord.objects.filter(last_import=run)
        total = records.count()
        bar = ProgressBar(total=total, label="push  ", stream=self.stdout)
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            final = records.filter(state__in=PushRecord.FINAL_STATES).count()
            paused = records.filter(state=State.PAUSED).count()
            bar.update(final, extra=f"paused {paused}" if paused else "")
            if final + paused >= total:
                break
            if deadline is not None and time.monotonic() > deadline:
                self.stdout.write(self.style.WARNING("Stopped waiting; the push goes on in the workers."))
                break
            time.sleep(0.5)
        bar.finish()

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
