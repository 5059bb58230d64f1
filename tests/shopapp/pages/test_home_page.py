"""Home: a dismissible setup guide and the key numbers; never a static page."""

from integrations.shops.models import Shop
from tests.support.push_records import State, record


def test_a_new_store_sees_the_setup_guide_starting_with_connect_backerkit(admin):
    response = admin.get("home")

    guide = response.context["guide"]
    assert response.context["show_guide"] is True
    assert guide.next_step.key == "connect" and guide.done_count == 0
    assert "Connect your BackerKit project" in response.content.decode()


def test_the_guide_moves_on_as_the_store_connects_previews_and_pushes(admin, shop_row, conn):
    record(shop_row, conn, "bk-1", State.PENDING)
    assert admin.get("home").context["guide"].next_step.key == "preview"

    record(shop_row, conn, "bk-2", State.PUSHED)
    response = admin.get("home")
    assert response.context["guide"].complete and response.context["show_guide"] is False


def test_a_dismissed_guide_stays_dismissed_and_the_numbers_remain(admin, shop_row, conn):
    record(shop_row, conn, "bk-1", State.PUSHED)
    record(shop_row, conn, "bk-2", State.PUSHED, financial_status="PARTIALLY_PAID")
    record(shop_row, conn, "bk-3", State.NEEDS_ATTENTION)

    admin.post("pages:dismiss_guide")
    response = admin.get("home")

    assert Shop.objects.get(id=shop_row.id).setup_guide_dismissed is True
    assert response.context["show_guide"] is False
    metrics = response.context["metrics"]
    assert (metrics.counts["pushed"], metrics.paid, metrics.partially_paid, metrics.attention) == (2, 1, 1, 1)
    assert metrics.last_pushed_at is not None
    assert 'data-testid="metrics"' in response.content.decode()


def test_home_has_the_app_nav_without_a_separate_home_item(admin):
    page = admin.get("home").content.decode()

    assert "<ui-nav-menu>" in page
    nav = page.split("<ui-nav-menu>")[1].split("</ui-nav-menu>")[0]
    assert nav.count('rel="home"') == 1 and ">Orders</a>" in nav and ">Settings</a>" in nav


def test_a_store_disconnected_for_reduced_access_sees_the_reconnect_button(admin, shop_row):
    Shop.objects.filter(id=shop_row.id).update(
        status=Shop.Status.DISCONNECTED,
        disconnect_cause="scopes_reduced",
        disconnected_reason="The app's access was reduced.",
    )

    page = admin.get("home").content.decode()

    assert "Shopify is disconnected" in page and "no order is lost" in page
    assert f'href="/auth/install?shop={shop_row.domain}" target="_top"' in page
