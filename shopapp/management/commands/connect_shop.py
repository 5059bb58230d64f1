"""Connect a store through its custom app (merchant-created; the token does not expire):

    python manage.py connect_shop NAME.myshopify.com --token shpat_...

The token is checked with a ``shop`` query first; nothing is saved when Shopify refuses it.
"""

from django.core.management.base import BaseCommand, CommandError

from integrations.shops.tokens.custom_app import CustomAppTokenRefused, connect_custom_app
from shopapp.install.oauth import strict_shop_domain


class Command(BaseCommand):
    help = "Connect a store with the Admin API access token of its custom app (checked before saving)."

    def add_arguments(self, parser):
        parser.add_argument("shop", help="The store's NAME.myshopify.com domain.")
        parser.add_argument("--token", required=True, help="The custom app's Admin API access token.")

    def handle(self, *args, shop: str, token: str, **options):
        domain = strict_shop_domain(shop)
        if domain is None:
            raise CommandError(f"{shop!r} is not a store domain: give NAME.myshopify.com.")
        if not token.strip():
            raise CommandError("--token is empty.")
        try:
            connected = connect_custom_app(domain=domain, access_token=token.strip())
        except CustomAppTokenRefused as exc:
            raise CommandError(str(exc)) from exc
        summary = f"{connected.domain} ({connected.name}, {connected.currency})"
        self.stdout.write(self.style.SUCCESS(f"Connected {summary} with its custom app."))
