"""A shop with a campaign's worth of push records, bulk-created straight in the database, for the
benchmarks (``orders_page.py``, ``load.py``). Import after ``django.setup()``.

The mix of states is a campaign mid-push: 80% pushed (a third of them Partially Paid), 8% needs
attention, 2% failed, 10% waiting; each finished record has one attempt, the history spread over
the last hours, the waiting ones imported a few minutes ago. Backer ids are ``100000 + n``,
BackerKit order ids ``bk-NNNNNNN``, Shopify order names ``#1001`` onwards.
"""

from decimal import Decimal

from django.db import connection as db_connection
from django.utils import timezone

from integrations.orders.models import PushAttempt, PushRecord
from integrations.shops.models import Shop
from tests.support.push_records import connection, plain_shop

State = PushRecord.State


def seed_shop(*, shop_domain: str, count: int) -> Shop:
    shop = plain_shop(shop_domain)
    conn = connection(shop, store_name="Bench Store", project="bench")
    now = timezone.now()
    batch: list[PushRecord] = []
    for n in range(count):
        bucket = n % 100
        if bucket < 80:
            state = State.PUSHED
        elif bucket < 88:
            state = State.NEEDS_ATTENTION
        elif bucket < 90:
            state = State.FAILED
        else:
            state = State.PENDING
        pushed = state == State.PUSHED
        batch.append(
            PushRecord(
                shop=shop,
                connection=conn,
                backerkit_order_id=f"bk-{n:07d}",
                backer_id=f"{100000 + n}",
                state=state,
                currency="USD",
                amount_paid=Decimal("90.44"),
                shopify_total=Decimal("95.00") if bucket % 3 == 0 else Decimal("85.00"),
                financial_status=("PARTIALLY_PAID" if bucket % 3 == 0 else "PAID") if pushed else "",
                shopify_order_id=f"gid://shopify/Order/{n + 1}" if pushed else "",
                shopify_order_name=f"#{1001 + n}" if pushed else "",
                last_error="" if pushed or state == State.PENDING else "SKU EXP-FROST is not in your Shopify store.",
                pushed_at=now - timezone.timedelta(seconds=count - n) if pushed else None,
                order_data={"id": f"bk-{n:07d}", "email": f"backer{n}@example.com"},
            )
        )
        if len(batch) == 5000:
            PushRecord.objects.bulk_create(batch)
            batch = []
    PushRecord.objects.bulk_create(batch)
    finished = PushRecord.objects.filter(shop=shop).exclude(state=State.PENDING).values_list("id", "state")
    attempts = [
        PushAttempt(
            record_id=i,
            started_at=now,
            outcome=PushAttempt.Outcome.CREATED if state == State.PUSHED else PushAttempt.Outcome.NEEDS_ATTENTION,
        )
        for i, state in finished
    ]
    PushAttempt.objects.bulk_create(attempts, batch_size=5000)
    with db_connection.cursor() as cursor:
        cursor.execute(
            "UPDATE orders_pushattempt a SET started_at = r.pushed_at, finished_at = r.pushed_at "
            "FROM orders_pushrecord r WHERE a.record_id = r.id AND r.shop_id = %s AND r.pushed_at IS NOT NULL",
            [shop.id],
        )
        cursor.execute(
            "UPDATE orders_pushattempt a SET started_at = %s, finished_at = %s FROM orders_pushrecord r "
            "WHERE a.record_id = r.id AND r.shop_id = %s AND r.pushed_at IS NULL",
            [now - timezone.timedelta(hours=2), now - timezone.timedelta(hours=2), shop.id],
        )
    PushRecord.objects.filter(shop=shop).update(updated_at=now - timezone.timedelta(hours=3))
    PushRecord.objects.filter(shop=shop, state=State.PENDING).update(updated_at=now - timezone.timedelta(minutes=5))
    return shop
