"""The figures on the pages are true: a progress card only while a push runs (waiting orders are
"N orders waiting - Preview and push"), "just now" rather than "0 minutes ago", the detail's
attempt count is its timeline's, Retry reports an outcome it already knows, the rate behind the
ETA never exceeds what the shop's Shopify bucket allows."""

from datetime import timedelta

from django.utils import timezone

from integrations.orders.models import PushAttempt, PushRecord
from integrations.orders.selectors.progress import push_progress
from integrations.shops.models import Shop
from shopapp.pages.wording import retry_outcome, time_ago
from tests.support.push_records import State, attempt, record


def test_orders_only_waiting_for_push_show_waiting_and_preview_not_a_progress_card(admin, shop_row, conn):
    Shop.objects.filter(id=shop_row.id).update(auto_push=False, setup_guide_dismissed=True)
    for n in range(60):
        record(shop_row, conn, f"bk-wait-{n}", State.PENDING)

    page = admin.get("home").content.decode()

    assert 'data-testid="progress"' not in page and "Estimating time left" not in page
    assert "60 orders waiting" in page and "Preview and push" in page


def test_after_push_is_pressed_the_progress_card_shows(admin, shop_row, conn):
    Shop.objects.filter(id=shop_row.id).update(setup_guide_dismissed=True, push_requested_at=timezone.now())
    for n in range(3):
        record(shop_row, conn, f"bk-wait-{n}", State.PENDING)

    page = admin.get("home").content.decode()

    assert 'data-testid="progress"' in page and 'data-testid="waiting"' not in page


def test_a_push_a_moment_ago_was_just_now():
    now = timezone.now()
    assert time_ago(now - timedelta(seconds=20), now=now) == "just now"
    assert time_ago(now - timedelta(minutes=3), now=now) == "3 minutes ago"


def test_home_says_just_now_for_an_order_pushed_a_moment_ago(admin, shop_row, conn):
    record(shop_row, conn, "bk-1", State.PUSHED, pushed_at=timezone.now())

    page = admin.get("home").content.decode()

    assert ">just now</time>" in page and "0\xa0minutes" not in page and "0 minutes" not in page


def test_the_attempt_count_is_the_timelines(admin, shop_row, conn):
    rec = record(shop_row, conn, "bk-1", State.FAILED, attempts=1)
    for outcome in (PushAttempt.Outcome.TRANSIENT, PushAttempt.Outcome.TRANSIENT, PushAttempt.Outcome.USER_ERRORS):
        attempt(rec, outcome)

    page = admin.get("pages:order", rec.id).content.decode()

    assert '<dd data-testid="attempt-count">3</dd>' in page


def test_retry_reports_the_outcome_when_it_is_known_and_queued_only_when_it_is():
    assert retry_outcome(1, {"pending": 1}) == ("1 order queued to push again", "")
    assert retry_outcome(1, {"pushed": 1}) == ("1 order pushed", "")
    notice, error = retry_outcome(1, {"needs_attention": 1})
    assert notice == "" and error == "1 order still needs attention: see why below."
    assert retry_outcome(3, {"pushed": 2, "pending": 1}) == ("2 orders pushed, 1 still queued", "")
    assert retry_outcome(0, {}) == ("Nothing to retry", "")


def test_the_rate_never_exceeds_what_the_shops_bucket_allows(shop_row, conn):
    waiting = record(shop_row, conn, "bk-wait", State.PENDING)
    record(shop_row, conn, "bk-wait-2", State.PENDING)
    done = record(shop_row, conn, "bk-done", State.PUSHED)
    PushAttempt.objects.bulk_create(
        [PushAttempt(record=done, outcome=PushAttempt.Outcome.CREATED, started_at=timezone.now()) for _ in range(900)]
    )
    PushRecord.objects.filter(id=waiting.id).update(updated_at=timezone.now() - timedelta(seconds=30))

    progress = push_progress(shop_id=shop_row.id)

    # 900 in 30 s would be 1,800 a minute; the bucket (not yet reported by Shopify: the default)
    # restores 100 points a second and an orderCreate costs 10: 600 orders a minute at most.
    assert progress.running
    assert progress.per_minute == 600.0
