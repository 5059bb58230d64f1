"""When Shopify refuses protected customer data (the app is not approved for names, emails and
addresses on this store), the pages point to the approval, not to Reconnect, which cannot help."""

from integrations.shops.models import Shop


def test_a_protected_customer_data_refusal_points_to_the_approval_not_to_reconnect(admin, shop_row):
    Shop.objects.filter(id=shop_row.id).update(
        status=Shop.Status.DISCONNECTED,
        disconnect_cause=Shop.DisconnectCause.SCOPES_REDUCED,
        disconnected_reason=(
            "The app no longer has the access it needs: orderCreate: This app is not approved to access the "
            "Customer object. See https://shopify.dev/docs/apps/launch/protected-customer-data for more details."
        ),
    )

    page = admin.get("home").content.decode()

    assert 'data-testid="access-banner"' in page and "protected customer data (level 2)" in page
    assert "Partner Dashboard" in page
    assert 'data-testid="reconnect"' not in page


def test_a_reduced_scope_still_offers_reconnect(admin, shop_row):
    Shop.objects.filter(id=shop_row.id).update(
        status=Shop.Status.DISCONNECTED,
        disconnect_cause=Shop.DisconnectCause.SCOPES_REDUCED,
        disconnected_reason="The app's access to orders was removed.",
    )

    page = admin.get("home").content.decode()

    assert 'data-testid="reconnect"' in page and 'data-testid="access-banner"' not in page


def test_pressing_push_then_says_what_is_missing_not_reconnect(admin, shop_row):
    Shop.objects.filter(id=shop_row.id).update(
        status=Shop.Status.DISCONNECTED,
        disconnect_cause=Shop.DisconnectCause.SCOPES_REDUCED,
        disconnected_reason="orderCreate: This app is not approved to access the Customer object.",
    )

    error = admin.follow(admin.post("pages:push")).context["error"]

    assert "protected customer data (level 2)" in error and "Reconnect the store" not in error
