"""python manage.py pull_orders SHOP --connection NAME [--timeout S]

Pulls the connection's locked orders from BackerKit now and pushes them, showing progress, then
waits until each order is final like ``push_orders`` (management/waiting.py). The pull is the one
the pages run (services/connections.py ``pull_and_push_now``, services/pull_runs.py): pages since
the stored cursor, BackerKit's 429 and outages waited out within --timeout.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from integrations.orders import local_worker
from integrations.orders.lane_tasks import push_lane
from integrations.orders.management.progress import ProgressBar
from integrations.orders.management.waiting import PushWaiter
from integrations.orders.models import BackerKitConnection, PullRun, PushRecord
from integrations.orders.services.connections import ConnectionProblem, Problem, pull_and_push_now
from integrations.shopify.domains import sanitize_shop_domain
from integrations.shops.models import Shop

DEFAULT_TIMEOUT = 900.0


class Command(BaseCommand):
    help = "Pull a BackerKit connection's locked orders now and push them, waiting until each is final."

    def add_arguments(self, parser):
        parser.add_argument("shop", help="The shop's domain, e.g. my-store.myshopify.com")
        parser.add_argument("--connection", required=True, help="The connected store name")
        parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT,
                            help=f"Stop waiting after this many seconds (default {DEFAULT_TIMEOUT:.0f})")  # fmt: skip

    def handle(self, *args, **options):
        domain = sanitize_shop_domain(options["shop"])
        shop = Shop.objects.filter(domain=domain).first() if domain else None
        if shop is None:
            raise CommandError(f"No installed shop named {options['shop']!r}.")
        connection = BackerKitConnection.objects.filter(shop=shop, store_name=options["connection"]).first()
        if connection is None:
            raise CommandError(f"{shop.domain} has no connection named {options['connection']!r}.")
        worker = local_worker.start(push_lane.app)
        bar = ProgressBar(total=0, label="pull  ", stream=self.stdout)
        received = [0]

        def page(import_run) -> None:
            received[0] += import_run.received
            bar.total = received[0]
            bar.update(received[0], extra=f"{import_run.accepted} accepted, {import_run.refused} refused this page")

        try:
            run, import_runs = pull_and_push_now(
                shop_id=shop.id, connection_id=connection.id, timeout=options["timeout"], on_page=page
            )
        except ConnectionProblem as problem:
            if problem.code == Problem.PULL_UNDER_WAY:
                raise CommandError("A pull of this connection is under way already: try again once it ends.") from None
            raise CommandError(f"Not pulled: the connection is {connection.get_status_display().lower()} "
                               f"({connection.stopped_reason or 'no API key'}).") from None  # fmt: skip
        bar.finish()
        self.stdout.write(
            f"{run.pages} pages, {run.received} orders read: {run.accepted} accepted, {run.refused} refused"
        )
        if run.state == PullRun.State.FAILED or run.retry_in is not None:
            connection.refresh_from_db()
            why = connection.last_pull_error or connection.stopped_reason or run.get_problem_display()
            self.stdout.write(self.style.WARNING(f"The pull did not finish: {why}"))
        records = PushRecord.objects.filter(last_import_id__in=import_runs)
        waiter = PushWaiter(stdout=self.stdout, style=self.style, worker=worker)
        waiter.wait(records=records, shop=shop, timeout=options["timeout"])
        waiter.summary(records=records, shop_id=shop.id)
        if worker is not None:
            worker.stop(timeout=settings.PUSH_LANE_BUDGET_SECONDS + 5)
