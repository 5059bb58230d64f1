"""A shop_row whose push the app holds by itself (Shopify froze or locked the store, or repeated
unexpected errors) shows why on every page, in the health banner, with what happens next."""

import pytest

from integrations.orders.services import holds
from integrations.shops.models import Shop


@pytest.mark.parametrize("page", ["home", "pages:orders", "pages:preview"])
def test_a_frozen_store_says_so_on_every_page(admin, shop_row, page):
    holds.hold_shop(
        shop_id=shop_row.id, hold=Shop.PushHold.FROZEN, reason=holds.UNAVAILABLE_REASONS[Shop.PushHold.FROZEN]
    )

    html = admin.get(page).content.decode()

    assert 'data-testid="push-hold-banner"' in html
    assert "Your Shopify store is frozen" in html and "pushing resumes when Shopify unfreezes it" in html


def test_a_store_held_after_repeated_errors_shows_the_error_id_to_give_support(admin, shop_row):
    reason = holds.crashing_reason(crashes=5, error_id="0badc0de")
    holds.hold_shop(shop_id=shop_row.id, hold=Shop.PushHold.CRASHING, reason=reason)

    html = admin.get("home").content.decode()

    assert "give them the error id 0badc0de" in html


def test_no_banner_while_the_push_is_not_held(admin, shop_row):
    assert 'data-testid="push-hold-banner"' not in admin.get("home").content.decode()
