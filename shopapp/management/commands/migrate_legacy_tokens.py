"""Replace every public-app non-expiring offline token by an expiring one (before Shopify's
2027-01-01 cut-over), one store at a time:

    python manage.py migrate_legacy_tokens

Safe to run again: migrated stores are skipped; a store Shopify refuses is disconnected with the
reason (its merchant sees Reconnect); one Shopify cannot answer keeps its token for the next run.
"""

from collections import Counter

from django.core.management.base import BaseCommand

from integrations.shops.models import Shop
from integrations.shops.tokens.migrate import legacy_shop_ids, migrate_legacy_token


class Command(BaseCommand):
    help = "Migrate non-expiring offline tokens of public-app installs to expiring ones."

    def handle(self, *args, **options):
        shop_ids = legacy_shop_ids()
        total = len(shop_ids)
        counts: Counter[str] = Counter()
        for position, shop_id in enumerate(shop_ids, start=1):
            outcome = migrate_legacy_token(shop_id=shop_id)
            counts[outcome.value] += 1
            domain = Shop.objects.filter(id=shop_id).values_list("domain", flat=True).first()
            self.stdout.write(f"{position}/{total} {domain}: {outcome.value}")
        summary = ", ".join(f"{counts[k]} {k}" for k in ("migrated", "refused", "unavailable", "not_needed"))
        self.stdout.write(self.style.SUCCESS(f"{total} stores with non-expiring tokens: {summary}."))
