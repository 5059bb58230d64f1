"""``manage.py rotate_encryption_keys`` re-encrypts every encrypted field with the newest key."""

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection

from integrations.shops.models import Shop
from shopapp.models import DataRequest

pytestmark = pytest.mark.django_db


def raw(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608 - test-only names
        return cursor.fetchone()[0]


def test_every_encrypted_value_is_re_encrypted_with_the_newest_key(settings):
    old_key = settings.ENCRYPTION_KEYS[0]
    shop = Shop.objects.create(domain="a.myshopify.com", access_token="shpat_secret", refresh_token="shprt_secret")
    request = DataRequest.objects.create(shop=shop, customer_email="backer@example.com", export={"orders": [1]})
    new_key = Fernet.generate_key().decode()
    settings.ENCRYPTION_KEYS = [new_key, old_key]

    call_command("rotate_encryption_keys")

    only_new = Fernet(new_key.encode())
    assert only_new.decrypt(raw("shopapp_shop", "access_token", shop.id).encode()) == b"shpat_secret"
    assert only_new.decrypt(raw("shopapp_shop", "refresh_token", shop.id).encode()) == b"shprt_secret"
    assert only_new.decrypt(raw("shopapp_datarequest", "customer_email", request.id).encode()) == b"backer@example.com"
    settings.ENCRYPTION_KEYS = [new_key]  # the old key can now be dropped
    assert Shop.objects.get(id=shop.id).access_token == "shpat_secret"
    assert DataRequest.objects.get(id=request.id).export == {"orders": [1]}
