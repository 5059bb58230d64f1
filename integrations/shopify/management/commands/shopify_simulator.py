"""``python manage.py shopify_simulator --port 8111``: serve a local Shopify store until Ctrl-C.

Defaults come from settings (SHOPIFY_API_KEY, SHOPIFY_API_SECRET, APP_URL); the app then needs
``SHOPIFY_ORIGIN_TEMPLATE=http://127.0.0.1:8111/{shop}``. See docs/shopify-simulator.md.
"""

import threading

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from integrations.shopify.simulator.catalog import SAMPLE_CATALOG
from integrations.shopify.simulator.plans import PLANS
from integrations.shopify.simulator.server import build_server


class Command(BaseCommand):
    help = "Serve the Shopify simulator (OAuth, Admin GraphQL, rate limits, faults, webhooks) until Ctrl-C."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8111)
        parser.add_argument("--api-key", default=None, help="default: settings.SHOPIFY_API_KEY")
        parser.add_argument("--api-secret", default=None, help="default: settings.SHOPIFY_API_SECRET")
        parser.add_argument("--app-url", default=None, help="default: settings.APP_URL")
        parser.add_argument("--webhook-path", default="/webhooks")
        parser.add_argument("--catalog", default=str(SAMPLE_CATALOG), help="products every new shop starts with")
        parser.add_argument("--no-catalog", action="store_true", help="new shops start without products")
        parser.add_argument("--shop", action="append", default=[], help="NAME.myshopify.com to create (repeatable)")
        parser.add_argument("--plan", choices=sorted(PLANS), default="standard", help="plan of the --shop shops")
        parser.add_argument("--latency-ms", default=None, help="e.g. 150 or 100-300, on OAuth and Admin API calls")
        parser.add_argument("--search-index-delay", type=float, default=0.0, help="seconds, for --shop shops")

    def handle(self, *args, **options):
        try:
            server = build_server(
                host=options["host"],
                port=options["port"],
                api_key=options["api_key"] or settings.SHOPIFY_API_KEY,
                api_secret=options["api_secret"] or settings.SHOPIFY_API_SECRET,
                app_url=options["app_url"] or settings.APP_URL,
                catalog=None if options["no_catalog"] else options["catalog"],
                webhook_path=options["webhook_path"],
                latency_ms=options["latency_ms"],
                scopes=settings.SHOPIFY_SCOPES,
            )
            for domain in options["shop"]:
                server.state.upsert_shop(
                    domain, plan=options["plan"], search_index_delay_seconds=options["search_index_delay"]
                )
        except (OSError, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Shopify simulator on {server.base_url}")
        self.stdout.write(f"  SHOPIFY_ORIGIN_TEMPLATE={server.base_url}/{{shop}}")
        self.stdout.write(f"  inspect: {server.base_url}/   state: {server.base_url}/_simulator/state.json")
        for domain in options["shop"]:
            self.stdout.write(f"  admin:   {server.base_url}/{domain}/admin/apps/{server.state.config.api_key}")
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            thread.join()
        except KeyboardInterrupt:
            self.stdout.write("stopping")
        finally:
            server.shutdown()
            server.server_close()
