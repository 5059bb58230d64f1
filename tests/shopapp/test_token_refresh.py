"""Expiring offline tokens are refreshed before they expire and once after a 401, under a per-shop
lock: two workers refreshing at once make one refresh at Shopify (the simulator counts them)."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from integrations.shopify.errors import ShopifyUnauthorized
from integrations.shops.models import Shop
from integrations.shops.tokens.access import ShopDisconnected, admin_client_for, recover_from_unauthorized
from integrations.shops.tokens.refresh import refresh_shop_token
from tests.support.processes import wait_for
from tests.support.shops import connected_shop
from tests.support.token_grants import refresh_grants

SHOP = "campaign-store.myshopify.com"
SHOP_QUERY = "query ShopName { shop { name } }"


def expiring_in(shop: Shop, seconds: float) -> Shop:
    Shop.objects.filter(id=shop.id).update(
        access_token_expires_at=timezone.now() + timedelta(seconds=seconds),
        token_obtained_at=timezone.now() - timedelta(minutes=50),
    )
    shop.refresh_from_db()
    return shop


@pytest.mark.django_db
def test_a_token_about_to_expire_is_refreshed_before_use(shopify_sim, shopify_simulator):
    shop = expiring_in(connected_shop(shopify_sim, domain=SHOP), 60)
    old_access, old_refresh = shop.access_token, shop.refresh_token

    client = admin_client_for(shop_id=shop.id)

    shop.refresh_from_db()
    assert refresh_grants(shopify_simulator) == 1
    assert shop.access_token != old_access and shop.refresh_token != old_refresh
    assert shop.access_token_expires_at > timezone.now() + timedelta(minutes=50)
    assert client.execute(SHOP_QUERY).data["shop"]["name"]


@pytest.mark.django_db
def test_a_token_far_from_expiry_is_used_as_it_is(shopify_sim, shopify_simulator):
    shop = expiring_in(connected_shop(shopify_sim, domain=SHOP), 3000)

    admin_client_for(shop_id=shop.id)

    assert refresh_grants(shopify_simulator) == 0


@pytest.mark.django_db
def test_a_refused_token_is_refreshed_once_and_the_call_succeeds(shopify_sim, shopify_simulator):
    shop = expiring_in(connected_shop(shopify_sim, domain=SHOP), 3000)
    shopify_sim.revoke(SHOP, shop.access_token)  # the access token only; the refresh token still works
    client = admin_client_for(shop_id=shop.id)
    with pytest.raises(ShopifyUnauthorized):
        client.execute(SHOP_QUERY)

    assert recover_from_unauthorized(shop_id=shop.id, failed_token=shop.access_token) is True

    assert refresh_grants(shopify_simulator) == 1
    assert admin_client_for(shop_id=shop.id).execute(SHOP_QUERY).data["shop"]["name"]


@pytest.mark.django_db
def test_a_refused_refresh_disconnects_the_shop_with_the_reason(shopify_sim):
    shop = expiring_in(connected_shop(shopify_sim, domain=SHOP), 3000)
    shopify_sim.revoke(SHOP)  # access and refresh tokens

    assert recover_from_unauthorized(shop_id=shop.id, failed_token=shop.access_token) is False

    shop.refresh_from_db()
    assert shop.status == Shop.Status.DISCONNECTED
    assert shop.disconnected_reason.startswith("Shopify refused to renew the app's access token")
    assert shop.disconnected_reason.endswith("Reconnect to resume pushing.")
    with pytest.raises(ShopDisconnected) as refused:
        admin_client_for(shop_id=shop.id)
    assert refused.value.reason == shop.disconnected_reason


@pytest.mark.django_db
def test_a_token_refused_right_after_it_was_obtained_is_not_refreshed_again(shopify_sim, shopify_simulator):
    shop = connected_shop(shopify_sim, domain=SHOP)
    Shop.objects.filter(id=shop.id).update(token_obtained_at=timezone.now())

    assert recover_from_unauthorized(shop_id=shop.id, failed_token=shop.access_token) is False

    assert refresh_grants(shopify_simulator) == 0
    assert Shop.objects.get(id=shop.id).status == Shop.Status.DISCONNECTED


@pytest.mark.django_db
def test_recovery_after_another_worker_already_refreshed_sends_nothing(shopify_sim, shopify_simulator):
    shop = expiring_in(connected_shop(shopify_sim, domain=SHOP), 3000)

    assert recover_from_unauthorized(shop_id=shop.id, failed_token="shpat_an-older-token") is True

    assert refresh_grants(shopify_simulator) == 0


@pytest.mark.django_db(transaction=True)
def test_two_threads_refreshing_at_once_make_one_refresh(shopify_sim, shopify_simulator):
    shopify_sim.create_shop(SHOP, latency_ms=300)  # a slow token endpoint widens the race
    shop = expiring_in(connected_shop(shopify_sim, domain=SHOP), 30)
    barrier = threading.Barrier(2)
    results = []

    def refresh():
        barrier.wait()
        try:
            results.append(refresh_shop_token(shop_id=shop.id))
        finally:
            connection.close()

    threads = [threading.Thread(target=refresh) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert results == [True, True]
    assert refresh_grants(shopify_simulator) == 1
    assert admin_client_for(shop_id=shop.id).execute(SHOP_QUERY).data["shop"]["name"]


def test_two_worker_processes_refreshing_the_same_shop_make_one_refresh(shopify_sim, shopify_simulator, worker_factory):
    from shopapp.tasks import refresh_expiring_tokens

    shopify_sim.create_shop(SHOP, latency_ms=300)
    shop = expiring_in(connected_shop(shopify_sim, domain=SHOP), 30)
    env = {"SHOPIFY_ORIGIN_TEMPLATE": shopify_simulator.origin_template}
    worker_factory(name="refresh-a", concurrency=1, **env)
    worker_factory(name="refresh-b", concurrency=1, **env)
    old_token = shop.access_token

    # The beat fires twice (two beats, or one late): each fans out a refresh task for the shop.
    refresh_expiring_tokens.delay()
    refresh_expiring_tokens.delay()

    def refreshed() -> bool:
        current = Shop.objects.get(id=shop.id)
        return current.access_token != old_token

    wait_for(refreshed, timeout=30, what="a worker to refresh the token")
    wait_for(lambda: _idle(), timeout=30, what="the workers to finish")
    assert refresh_grants(shopify_simulator) == 1
    assert Shop.objects.get(id=shop.id).status == Shop.Status.CONNECTED


def _idle() -> bool:
    from shopapp.celery import app

    active = app.control.inspect(timeout=1).active() or {}
    reserved = app.control.inspect(timeout=1).reserved() or {}
    return not any(active.values()) and not any(reserved.values())


@pytest.mark.django_db
def test_the_refresh_command_refreshes_on_demand(shopify_sim, shopify_simulator):
    from io import StringIO

    from django.core.management import call_command

    expiring_in(connected_shop(shopify_sim, domain=SHOP), 3000)
    out = StringIO()

    call_command("refresh_tokens", stdout=out)

    assert "1/1" in out.getvalue() and "1 refreshed" in out.getvalue()
    assert refresh_grants(shopify_simulator) == 1


@pytest.mark.django_db
def test_refresh_logs_no_token(shopify_sim, caplog):
    shop = expiring_in(connected_shop(shopify_sim, domain=SHOP), 10)
    caplog.set_level("DEBUG")

    admin_client_for(shop_id=shop.id)

    shop.refresh_from_db()
    assert "token.refreshed" in [r.getMessage() for r in caplog.records]  # the refresh was logged...
    for secret in (shop.access_token, shop.refresh_token):
        assert secret not in caplog.text  # ...without its tokens
