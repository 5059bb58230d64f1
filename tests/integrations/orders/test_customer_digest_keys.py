"""The customer digest has its own keys (``CUSTOMER_DIGEST_KEYS``, newest first): rotating
SECRET_KEY or the digest key never makes a customer's records unfindable; the rotation command
recomputes digests with the newest key."""

import hashlib
import hmac
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from integrations.orders.models import PushRecord
from integrations.orders.services.imports import import_orders
from integrations.orders.services.privacy import customer_data, redact_customer
from tests.support.push_records import connection, plain_shop, record

ORDER = json.loads((Path(__file__).resolve().parents[2] / "fixtures/backerkit/orders/paid.json").read_text())


def hmac_of(key: str, email: str) -> str:
    return hmac.new(key.encode(), email.encode(), hashlib.sha256).hexdigest()


@pytest.fixture
def store(db):
    shop = plain_shop("digest-store.myshopify.com")
    return shop, connection(shop)


def imported(store) -> PushRecord:
    shop, conn = store
    import_orders(shop=shop, connection=conn, entries=[(1, ORDER)], source="file", label="o.jsonl", start_push=False)
    return PushRecord.objects.get(backerkit_order_id="bk-paid")


def test_rotating_secret_key_does_not_lose_the_customer(store, settings):
    shop, _ = store
    imported(store)

    settings.SECRET_KEY = "a-brand-new-secret-key-after-a-leak-0123456789abcdef"

    assert [o["backerkit_order_id"] for o in customer_data(shop_id=shop.id, email="ada@example.com")["orders"]] == [
        "bk-paid"
    ]


def test_the_newest_digest_key_computes_and_every_listed_key_is_matched(store, settings):
    shop, _ = store
    settings.CUSTOMER_DIGEST_KEYS = ["digest-key-one"]
    before = imported(store)
    assert before.customer_digest == hmac_of("digest-key-one", "ada@example.com")

    settings.CUSTOMER_DIGEST_KEYS = ["digest-key-two", "digest-key-one"]

    assert len(customer_data(shop_id=shop.id, email="ADA@example.com ")["orders"]) == 1
    assert redact_customer(shop_id=shop.id, email="ada@example.com") == 1


def test_rotate_customer_digests_recomputes_with_the_newest_key(store, settings):
    shop, conn = store
    settings.CUSTOMER_DIGEST_KEYS = ["digest-key-one"]
    current = imported(store)
    erased = record(shop, conn, "bk-erased", customer_digest=hmac_of("digest-key-one", "ada@example.com"),
                    order_data=None)  # fmt: skip
    settings.CUSTOMER_DIGEST_KEYS = ["digest-key-two", "digest-key-one"]
    out = StringIO()

    call_command("rotate_customer_digests", stdout=out)

    assert PushRecord.objects.get(id=current.id).customer_digest == hmac_of("digest-key-two", "ada@example.com")
    assert PushRecord.objects.get(id=erased.id).customer_digest == hmac_of("digest-key-one", "ada@example.com")
    assert "1 digests recomputed" in out.getvalue() and "1 kept (email already erased)" in out.getvalue()
    settings.CUSTOMER_DIGEST_KEYS = ["digest-key-two"]
    assert [o["backerkit_order_id"] for o in customer_data(shop_id=shop.id, email="ada@example.com")["orders"]] == [
        "bk-paid"
    ]
