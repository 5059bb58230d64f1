"""A customer's data-request export is erased ``DATA_REQUEST_EXPORT_DAYS`` after it was made, by the
beat task: kept longer it would be one more copy of the customer's data."""

from datetime import timedelta

from django.utils import timezone

from shopapp.models import DataRequest
from shopapp.tasks import expire_data_request_exports
from tests.support.push_records import plain_shop


def test_a_data_request_export_expires_and_is_erased(db, settings):
    settings.DATA_REQUEST_EXPORT_DAYS = 30
    shop = plain_shop("export-store.myshopify.com")
    old = DataRequest.objects.create(shop=shop, customer_id="1", customer_email="ada@example.com", export={"a": 1})
    recent = DataRequest.objects.create(shop=shop, customer_id="2", customer_email="bob@example.com", export={"b": 2})
    DataRequest.objects.filter(id=old.id).update(received_at=timezone.now() - timedelta(days=31))

    expire_data_request_exports.apply()

    assert list(DataRequest.objects.values_list("id", flat=True)) == [recent.id]
