"""python manage.py push_report SHOP [--json | --shipments-csv]: every order of a shop and what
happened to it; or, with --shipments-csv, the shipments of its file-fed connections as the CSV a
creator uploads to BackerKit (BackerKit order id, backer id, tracking number, company, URL, shipped
at; one line per tracking number)."""

import json

from django.core.management.base import BaseCommand, CommandError

from integrations.orders.selectors import report_rows
from integrations.orders.selectors.shipments import shipments_csv
from integrations.shopify.domains import sanitize_shop_domain
from integrations.shops.models import Shop


class Command(BaseCommand):
    help = "Print every order of a shop: BackerKit id, state, Shopify order, financial status, reason."

    def add_arguments(self, parser):
        parser.add_argument("shop")
        parser.add_argument("--json", action="store_true", help="One JSON object per line")
        parser.add_argument("--shipments-csv", action="store_true",
                            help="The shipments of file-fed connections, as CSV for BackerKit")  # fmt: skip

    def handle(self, *args, **options):
        domain = sanitize_shop_domain(options["shop"])
        shop = Shop.objects.filter(domain=domain).first() if domain else None
        if shop is None:
            raise CommandError(f"No installed shop named {options['shop']!r}.")
        if options["shipments_csv"]:
            for line in shipments_csv(shop_id=shop.id):
                self.stdout.write(line, ending="")
            return
        if not options["json"]:
            self.stdout.write(
                f"{'BACKERKIT ORDER':<24} {'STATE':<16} {'SHOPIFY':<10} {'FINANCIAL':<16} {'SYNC':<20} REASON"
            )
        for row in report_rows(shop_id=shop.id):
            if options["json"]:
                self.stdout.write(json.dumps(row.__dict__))
            else:
                reason = (row.reason or row.sync_reason).replace("\n", " | ")
                self.stdout.write(
                    f"{row.backerkit_order_id:<24} {row.state:<16} {row.shopify_order_name:<10} "
                    f"{row.financial_status:<16} {row.sync_state:<20} {reason}"
                )
