"""python manage.py demo: the whole product, end to end, on the embedded default.

Starts the Shopify and BackerKit simulators (a sample campaign: backers across countries, with
and without tax, some prices higher in Shopify, one unknown SKU) and the app, installs the app
into the simulated shop through the real OAuth flow, connects the BackerKit project, pulls and
pushes the campaign with a progress bar, prints a summary, and keeps the embedded pages open at a
simulated Shopify admin until Ctrl-C. The push takes the production code path: with no broker
configured, the tasks run in the process's local worker (integrations/orders/local_worker.py),
off the requests, with beat's schedule (the sweeper, the pulls, the purge) beside them.
"""

import argparse
import secrets
import socket
import time
from urllib.parse import urlsplit

import httpx
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, DjangoHelpFormatter

from integrations.backerkit.simulator import start_backerkit_simulator
from integrations.backerkit.simulator.campaign import generate_campaign, sample_catalog
from integrations.orders import local_worker
from integrations.orders.lane_tasks import push_lane
from integrations.orders.management.progress import ProgressBar
from integrations.orders.models import BackerKitConnection, PushRecord
from integrations.orders.services.pull import pull_connection
from integrations.shopify.simulator import start_simulator
from integrations.shops.models import Shop
from shopapp.celery import app as celery_app
from shopapp.demo.servers import start_app

DEMO_SHOP = "skyforge-demo.myshopify.com"
DEMO_PROJECT = "skyforge-campaign"
DEMO_STORE_NAME = "Skyforge Store"
DEMO_BACKERKIT_KEY = "demo-backerkit-api-key"
PUSH_DEADLINE_SECONDS = 600

EPILOG = f"""\
what it does, in order:
  1. starts the Shopify simulator (--shopify-port) and the BackerKit simulator (--backerkit-port)
     in this process, with a sample campaign of --backers backers, and the app (--port) on SQLite
     (var/db.sqlite3) with Celery tasks run by a local worker in the process (threads, beat's
     schedule beside it): nothing to install, no services to start;
  2. installs the app into {DEMO_SHOP} through Shopify's OAuth flow;
  3. pulls the campaign from BackerKit and pushes it, with a progress bar;
  4. prints a summary (pushed, Paid, Partially Paid, needing attention with reasons), then the
     address of the simulated Shopify admin that frames the app, and serves until Ctrl-C.

a second run reuses the virtualenv and the database (only new migrations run) and starts the demo
shop afresh, since the simulators keep their stores in memory.

environment (scripts/demo derives them from the ports): APP_URL, SHOPIFY_ORIGIN_TEMPLATE, BACKERKIT_API_URL,
SHOPIFY_ADMIN_URL_TEMPLATE; DATABASE_URL (var/db.sqlite3, or var/db-PORT.sqlite3 on another --port).

the staff console: the demo makes a staff account (demo-rep) and prints its password; in production
make accounts with `manage.py createsuperuser` and enrol their TOTP (`manage.py enrol_staff_totp`).
"""


class _HelpFormatter(DjangoHelpFormatter, argparse.RawDescriptionHelpFormatter, argparse.ArgumentDefaultsHelpFormatter):
    """Django's option order, the epilog's lines kept as written, and each option's default shown."""


class Command(BaseCommand):
    help = "Run the whole product locally: simulators, install, a pushed sample campaign, embedded pages."

    def create_parser(self, prog_name, subcommand, **kwargs):
        parser = super().create_parser(prog_name, subcommand, epilog=EPILOG, **kwargs)
        parser.formatter_class = _HelpFormatter
        return parser

    def add_arguments(self, parser):
        app = urlsplit(settings.APP_URL)
        shopify = urlsplit(settings.SHOPIFY_ORIGIN_TEMPLATE.replace("{shop}", "x"))
        parser.add_argument("--port", type=int, default=app.port or 8000, help="the app's port (APP_URL)")
        parser.add_argument("--shopify-port", type=int, default=shopify.port or 8111, help="Shopify simulator port")
        parser.add_argument("--backerkit-port", type=int, default=urlsplit(settings.BACKERKIT_API_URL).port or 8112,
                            help="BackerKit simulator port")  # fmt: skip
        parser.add_argument("--backers", type=int, default=300, help="backers in the sample campaign")
        parser.add_argument(
            "--latency-ms", default=None, help="Shopify's latency, e.g. 100-300 (none: answers at once)"
        )
        parser.add_argument("--no-serve", action="store_true", help="exit after the summary (for checks and CI)")

    def handle(self, *args, **options):
        if not settings.LOCAL_WORKER:
            raise CommandError("The demo runs on the embedded default: unset REDIS_URL.")
        self._check_ports(options)
        call_command("migrate", verbosity=0)
        worker = local_worker.start(celery_app)
        shopify = start_simulator(
            port=options["shopify_port"],
            api_key=settings.SHOPIFY_API_KEY,
            api_secret=settings.SHOPIFY_API_SECRET,
            app_url=settings.APP_URL,
            catalog=sample_catalog(),
            latency_ms=options["latency_ms"],
            scopes=settings.SHOPIFY_SCOPES,
        )
        backerkit = start_backerkit_simulator(port=options["backerkit_port"])
        app = start_app(host="127.0.0.1", port=options["port"])
        self.stdout.write(f"Shopify simulator  {shopify.url}\nBackerKit simulator {backerkit.url}\nApp {app.url}")

        # The simulators start empty every run: so does the demo shop's data.
        Shop.objects.filter(domain=DEMO_SHOP).delete()
        shopify.state.upsert_shop(DEMO_SHOP, name="Skyforge Demo", currency="USD", plan="plus")
        campaign = generate_campaign(backers=options["backers"], seed=2026, include_unknown_sku=True)
        backerkit.state.add_project(id=DEMO_PROJECT, api_key=DEMO_BACKERKIT_KEY, name="Skyforge", currency="USD")
        backerkit.state.add_orders(DEMO_PROJECT, campaign)

        self._install(app_url=app.url)
        shop = Shop.objects.get(domain=DEMO_SHOP)
        connection = BackerKitConnection.objects.create(
            shop=shop, store_name=DEMO_STORE_NAME, project=DEMO_PROJECT, api_key=DEMO_BACKERKIT_KEY, currency="USD"
        )
        self._push(shop=shop, connection=connection, worker=worker)
        self._summary(shop=shop)

        admin = f"{shopify.url}/{DEMO_SHOP}/admin/apps/{settings.SHOPIFY_API_KEY}"
        self.stdout.write(self.style.SUCCESS(f"\nOpen the app as a merchant would: {admin}"))
        password = self._staff_account()
        self.stdout.write(f"What Shopify received: {shopify.url}/\nStaff console: {app.url}/staff/ "
                          f"(demo only: user demo-rep, password {password})")  # fmt: skip
        if options["no_serve"]:
            return self._stop(app, shopify, backerkit)
        self.stdout.write("Ctrl-C to stop.")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            self.stdout.write("\nStopping.")
        self._stop(app, shopify, backerkit)

    def _check_ports(self, options) -> None:
        """A busy port is named with the option that changes it (instead of a bind traceback)."""
        for option, what in (("port", "the app"), ("shopify_port", "the Shopify simulator"),
                             ("backerkit_port", "the BackerKit simulator")):  # fmt: skip
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
                try:
                    probe.bind(("127.0.0.1", options[option]))
                except OSError as exc:
                    flag = "--" + option.replace("_", "-")
                    raise CommandError(
                        f"Port {options[option]} ({what}) is in use ({exc.strerror}): "
                        f"choose another with {flag}, e.g. {flag} {options[option] + 10}."
                    ) from None

    def _staff_account(self) -> str:
        """A staff account for the demo's console, with a fresh password each run (demo only: in
        production accounts come from createsuperuser and carry a second factor)."""
        password = secrets.token_urlsafe(9)
        user, _ = get_user_model().objects.get_or_create(username="demo-rep", defaults={"email": "rep@example.com"})
        user.is_staff = True
        user.set_password(password)
        user.save()
        return password

    def _install(self, *, app_url: str) -> None:
        """The merchant's browser: /auth/install -> Shopify's approval -> /auth/callback."""
        url = f"{app_url}/auth/install?shop={DEMO_SHOP}"
        with httpx.Client(follow_redirects=False, timeout=30) as browser:
            for _ in range(10):
                response = browser.get(url)
                location = response.headers.get("location")
                if response.status_code not in (301, 302, 303, 307) or not location:
                    break
                url = httpx.URL(url).join(location).__str__()
                if not url.startswith((app_url, settings.SHOPIFY_ORIGIN_TEMPLATE.split("{shop}")[0])):
                    break  # landed in the (simulated) admin
        shop = Shop.objects.filter(domain=DEMO_SHOP).first()
        if shop is None or not shop.is_connected:
            raise CommandError(f"The install did not complete (last answer {response.status_code} at {url}).")
        self.stdout.write(self.style.SUCCESS(f"Installed into {DEMO_SHOP} through OAuth (expiring offline token)."))

    def _push(self, *, shop: Shop, connection: BackerKitConnection, worker: local_worker.LocalWorker) -> None:
        pull_connection(connection_id=connection.id, start_push=False)
        self.stdout.write(f"Pulled {PushRecord.objects.filter(shop=shop).count()} locked orders from BackerKit.")
        push_lane.delay(shop.id)  # what the Push button does: the local worker pushes, off any request
        records = PushRecord.objects.filter(shop=shop)
        bar = ProgressBar(total=records.count(), label="push", stream=self.stdout)
        settled = (*PushRecord.FINAL_STATES, PushRecord.State.PAUSED)
        deadline = time.monotonic() + PUSH_DEADLINE_SECONDS
        while (done := records.filter(state__in=settled).count()) < bar.total:
            if not worker.alive or time.monotonic() > deadline:
                bar.finish()
                why = "the local worker stopped" if not worker.alive else f"{PUSH_DEADLINE_SECONDS} s passed"
                raise CommandError(f"The push did not finish ({why}); {bar.total - done} orders are not final.")
            bar.update(done)
            time.sleep(0.2)
        bar.done = records.filter(state__in=PushRecord.FINAL_STATES).count()
        bar.finish()

    def _summary(self, *, shop: Shop) -> None:
        records = PushRecord.objects.filter(shop=shop)
        pushed = records.filter(state=PushRecord.State.PUSHED)
        self.stdout.write(
            "\nSummary\n"
            f"  pushed:          {pushed.count()}\n"
            f"    Paid:          {pushed.filter(financial_status='PAID').count()}\n"
            f"    Partially Paid:{pushed.filter(financial_status='PARTIALLY_PAID').count():>4}\n"
            f"  needs attention: {records.filter(state=PushRecord.State.NEEDS_ATTENTION).count()}\n"
            f"  failed:          {records.filter(state=PushRecord.State.FAILED).count()}"
        )
        stuck = records.filter(state__in=[PushRecord.State.NEEDS_ATTENTION, PushRecord.State.FAILED])
        orders_by_reason: dict[str, list[str]] = {}
        for reason, order_id in stuck.order_by("id").values_list("last_error", "backerkit_order_id"):
            orders_by_reason.setdefault(reason, []).append(order_id)
        for reason, order_ids in sorted(orders_by_reason.items(), key=lambda item: -len(item[1]))[:10]:
            shown = ", ".join(order_ids[:3]) + (", ..." if len(order_ids) > 3 else "")
            self.stdout.write(f"    {len(order_ids)} x {reason} (BackerKit order {shown})")

    def _stop(self, *servers) -> None:
        # The local worker is idle by now (every order is final): it ends with the process.
        for server in servers:
            server.stop()
