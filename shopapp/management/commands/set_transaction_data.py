"""Success reps' script access to the transaction-data switch, audited like the console:

python manage.py set_transaction_data SHOP on|off --reason TEXT --by EMAIL
"""

from django.core.management.base import BaseCommand, CommandError

from integrations.shopify.domains import sanitize_shop_domain
from integrations.shops.models import Shop
from shopapp.staff.services import ReasonRequired, set_transaction_data


class Command(BaseCommand):
    help = "Switch transaction data on or off for a store (recorded in the audit log)."

    def add_arguments(self, parser):
        parser.add_argument("shop", help="The store's myshopify.com domain.")
        parser.add_argument("value", choices=["on", "off"])
        parser.add_argument("--reason", required=True, help="Why (kept in the audit log, shown to staff).")
        parser.add_argument("--by", required=True, dest="by_email", help="Your staff email.")

    def handle(self, *args, shop: str, value: str, reason: str, by_email: str, **options):
        domain = sanitize_shop_domain(shop)
        row = Shop.objects.filter(domain=domain).first() if domain else None
        if row is None:
            raise CommandError(f"No installed store {shop!r}.")
        try:
            change = set_transaction_data(shop_id=row.id, enabled=value == "on", reason=reason, by_email=by_email)
        except (ReasonRequired, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"{row.domain}: transaction data {change.old_value} -> {change.new_value} "
            f"(recorded {change.changed_at:%Y-%m-%d %H:%M} UTC by {change.changed_by})"
        )
