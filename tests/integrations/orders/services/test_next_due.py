"""When a shop's queue is next due (services/lanes.py ``next_due_in``): read in one statement, so
lanes claiming records meanwhile never make it see "pending" and then no date."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from integrations.orders.services.lanes import next_due_in
from tests.support.push_records import connection as backerkit_connection
from tests.support.push_records import plain_shop, record

pytestmark = pytest.mark.django_db


def test_next_due_in_reads_the_queue_in_one_statement():
    shop = plain_shop()
    conn = backerkit_connection(shop)
    assert next_due_in(shop_id=shop.id) is None
    record(shop, conn, "bk-later", not_before=timezone.now() + timezone.timedelta(seconds=30))
    with CaptureQueriesContext(connection) as queries:
        later = next_due_in(shop_id=shop.id)
    record(shop, conn, "bk-now")

    assert 25 < later <= 30
    assert len([q for q in queries.captured_queries if "orders_pushrecord" in q["sql"]]) == 1
    assert next_due_in(shop_id=shop.id) == 0.0
