import pytest
from django.contrib.auth import get_user_model

from tests.support.push_records import connection, plain_shop
from tests.support.staff import STAFF_PASSWORD
from tests.support.static_storage import _plain_static_storage  # noqa: F401


@pytest.fixture(autouse=True)
def _password_alone_for_reps_without_a_device(settings):
    """The console's tests log in reps without an authenticator device; production requires one
    (STAFF_REQUIRE_TOTP on without DEBUG), tested in test_staff_login_protection.py."""
    settings.STAFF_REQUIRE_TOTP = False


@pytest.fixture
def staff_user(db):
    return get_user_model().objects.create_user(
        username="rep", email="rep@backerkit.com", password=STAFF_PASSWORD, is_staff=True
    )


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


@pytest.fixture
def shop_row(db):
    return plain_shop("console-store.myshopify.com")


@pytest.fixture
def conn(shop_row):
    return connection(shop_row)
