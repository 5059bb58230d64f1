"""End-to-end shipping: a shop on the Shopify simulator with the fulfilment scopes (so it sends the
fulfilment webhooks) whose webhooks reach a live app server, a BackerKit project on the BackerKit
simulator, real workers, and orders pulled and pushed through them."""

from collections import Counter
from dataclasses import dataclass

from django.conf import settings

from integrations.backerkit.simulator.campaign import generate_campaign, sample_catalog
from integrations.orders.models import BackerKitConnection, PushRecord, ShipmentEvent
from integrations.orders.services.pull import pull
from integrations.shops.models import Shop
from tests.support.processes import wait_for

DOMAIN = "shipping-store.myshopify.com"
PROJECT, KEY = "skyforge", "bk-ship-key-4321"


@dataclass
class ShippingStore:
    shop: Shop
    connection: BackerKitConnection
    records: list[PushRecord]  # pushed, oldest first


def open_shipping_store(shopify_sim, backerkit_sim, live_url: str, *, orders: int, seed: int = 11) -> ShippingStore:
    shopify_sim.configure(app_url=live_url)
    shopify_sim.create_shop(DOMAIN, currency="USD", plan="plus", products=sample_catalog(),
                            scopes=settings.SHOPIFY_SCOPES)  # fmt: skip
    token = shopify_sim.mint_token(DOMAIN, kind="expiring", scopes=settings.SHOPIFY_SCOPES)
    shop = Shop.objects.create(
        domain=DOMAIN, name="shipping-store", currency="USD", status=Shop.Status.CONNECTED,
        access_token=token["access_token"], refresh_token=token.get("refresh_token", ""),
        token_kind=Shop.TokenKind.EXPIRING, scopes=",".join(settings.SHOPIFY_SCOPES),
    )  # fmt: skip
    backerkit_sim.state.add_project(id=PROJECT, api_key=KEY, name="Skyforge", currency="USD")
    backerkit_sim.state.add_orders(PROJECT, generate_campaign(backers=orders, seed=seed, id_prefix="ship"))
    connection = BackerKitConnection.objects.create(shop=shop, store_name="Skyforge Store", project=PROJECT,
                                                    api_key=KEY, currency="USD")  # fmt: skip
    pull(connection_id=connection.id)  # the workers push what it takes in
    wait_for(lambda: PushRecord.objects.filter(shop=shop, state=PushRecord.State.PUSHED).count() == orders,
             timeout=90, what="every order to be pushed", interval=0.2)  # fmt: skip
    records = list(PushRecord.objects.filter(shop=shop).order_by("id"))
    return ShippingStore(shop=shop, connection=connection, records=records)


def acknowledged(backerkit_sim) -> list[dict]:
    with backerkit_sim.state.lock:
        return list(backerkit_sim.state.shipments.acknowledgements)


def kept_shipment(backerkit_sim, order_id: str, fulfillment_id: str) -> dict | None:
    with backerkit_sim.state.lock:
        kept = backerkit_sim.state.shipments.shipments.get((PROJECT, order_id, fulfillment_id))
        return dict(kept) if kept else None


def created_per_fulfilment(backerkit_sim) -> Counter:
    return Counter(
        (a["order_id"], a["fulfillment_id"]) for a in acknowledged(backerkit_sim) if a["result"] == "created"
    )


def wait_outbox_empty(shop: Shop, *, timeout: float = 60) -> None:
    """Until every event of the shop is sent (or kept for the file), none waiting or failing."""
    open_states = (ShipmentEvent.State.WAITING, ShipmentEvent.State.SENDING)
    wait_for(lambda: not ShipmentEvent.objects.filter(shop=shop, state__in=open_states).exists(),
             timeout=timeout, what="the outbox to be sent", interval=0.2)  # fmt: skip
