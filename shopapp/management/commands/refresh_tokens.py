"""Refresh expiring offline tokens now:

    python manage.py refresh_tokens [--shop NAME.myshopify.com] [--within SECONDS]

Without ``--shop``: every connected store whose token expires within ``--within`` seconds (default:
all of them). A store whose refresh Shopify refuses is disconnected with the reason.
"""

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError

from integrations.shops.models import Shop
from integrations.shops.tokens.grants import GrantUnavailable
from integrations.shops.tokens.refresh import refresh_shop_token, shops_to_refresh

EVERYTHING = 10 * 365 * 24 * 3600


class Command(BaseCommand):
    help = "Refresh expiring offline access tokens on demand."

    def add_arguments(self, parser):
        parser.add_argument("--shop", help="Only this store (NAME.myshopify.com).")
        parser.add_argument("--within", type=int, default=None, help="Only tokens expiring within SECONDS.")

    def handle(self, *args, shop: str | None, within: int | None, **options):
        horizon = timedelta(seconds=within if within is not None else EVERYTHING)
        if shop:
            ids = list(Shop.objects.filter(domain=shop.strip().lower()).values_list("id", flat=True))
            if not ids:
                raise CommandError(f"No installed store {shop!r}.")
        else:
            ids = shops_to_refresh(within=horizon)
        refreshed = failed = unavailable = 0
        for position, shop_id in enumerate(ids, start=1):
            try:
                ok = refresh_shop_token(shop_id=shop_id, margin=horizon)
            except GrantUnavailable as exc:
                unavailable += 1
                self.stdout.write(f"{position}/{len(ids)} shop {shop_id}: Shopify unavailable ({exc.message})")
                continue
            refreshed += ok
            failed += not ok
            self.stdout.write(f"{position}/{len(ids)} shop {shop_id}: {'refreshed' if ok else 'disconnected'}")
        summary = f"{refreshed} refreshed, {failed} disconnected, {unavailable} unavailable"
        self.stdout.write(self.style.SUCCESS(f"{len(ids)} stores: {summary}."))
