"""A store whose bulk road Shopify refused: the rep sees why, and may let it try again."""

from django.urls import reverse
from django.utils import timezone

from integrations.shops.models import Shop


def test_the_console_shows_why_the_bulk_road_is_off_and_turns_it_on_again(staff_client, shop_row):
    Shop.objects.filter(id=shop_row.id).update(
        bulk_refused_reason="Shopify refused the bulk import (INVALID_MUTATION: nope).", bulk_refused_at=timezone.now()
    )

    page = staff_client.get(reverse("staff:store", args=[shop_row.id])).content.decode()
    assert 'data-testid="staff-bulk-refused"' in page and "INVALID_MUTATION: nope" in page

    staff_client.post(reverse("staff:bulk_road", args=[shop_row.id]))
    shop_row.refresh_from_db()
    assert shop_row.bulk_refused_reason == "" and shop_row.bulk_refused_at is None
