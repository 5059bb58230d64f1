"""The merchant's pages through the Django test client, authenticated as App Bridge does it: an
id token signed with the app secret, in ``Authorization: Bearer`` (fetch) or ``id_token`` (a
navigation or a form post)."""

import pytest

from tests.support.admin_session import AdminSession
from tests.support.push_records import connection, plain_shop
from tests.support.static_storage import _plain_static_storage  # noqa: F401


@pytest.fixture
def shop_row(db):
    return plain_shop()


@pytest.fixture
def conn(shop_row):
    return connection(shop_row)


@pytest.fixture
def admin(client, shop_row):
    return AdminSession(client, shop_row)
