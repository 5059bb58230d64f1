"""Recompute every customer digest with the newest ``CUSTOMER_DIGEST_KEYS`` key:

    CUSTOMER_DIGEST_KEYS=NEW,OLD python manage.py rotate_customer_digests

Keep OLD listed while records whose email is already erased still carry a digest under it (the
command says how many): every listed key is matched, only the newest computes.
"""

from django.core.management.base import BaseCommand

from integrations.orders.services.digest_rotation import rotate_customer_digests


class Command(BaseCommand):
    help = "Recompute customer digests with the newest CUSTOMER_DIGEST_KEYS key."

    def handle(self, *args, **options):
        result = rotate_customer_digests()
        self.stdout.write(
            f"{result.recomputed} digests recomputed, {result.unchanged} already current, "
            f"{result.without_email} kept (email already erased), {result.failed} failed (see the log)."
        )
