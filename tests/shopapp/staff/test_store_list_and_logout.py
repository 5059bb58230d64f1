"""The staff store list pages through every store (50 a page, searchable), and logging out ends
the rep's session."""

from django.urls import reverse

from shopapp.staff.selectors import STORES_PER_PAGE
from tests.support.push_records import plain_shop


def test_the_store_list_pages_through_every_store_once(staff_client, db):
    for n in range(STORES_PER_PAGE + 7):
        plain_shop(f"store-{n:03d}.myshopify.com")

    first = staff_client.get(reverse("staff:stores"))
    second = staff_client.get(reverse("staff:stores"), {"page": 2})
    beyond = staff_client.get(reverse("staff:stores"), {"page": 3})

    assert (first.context["total"], first.context["pages"]) == (STORES_PER_PAGE + 7, 2)
    shown = [row.shop.domain for row in first.context["rows"]] + [row.shop.domain for row in second.context["rows"]]
    assert shown == [f"store-{n:03d}.myshopify.com" for n in range(STORES_PER_PAGE + 7)]  # each once, in order
    assert len(second.context["rows"]) == 7
    beyond_rows = [row.shop.domain for row in beyond.context["rows"]]
    assert beyond_rows == [row.shop.domain for row in second.context["rows"]]  # past the end: the last page
    assert 'href="?q=&page=2">Next</a>' in first.content.decode()


def test_searching_the_store_list_pages_only_the_matches(staff_client, db):
    for n in range(STORES_PER_PAGE + 2):
        plain_shop(f"kick-{n:03d}.myshopify.com")
    plain_shop("other-store.myshopify.com")

    found = staff_client.get(reverse("staff:stores"), {"q": "kick", "page": 2})

    assert (found.context["total"], found.context["pages"]) == (STORES_PER_PAGE + 2, 2)
    assert [row.shop.domain for row in found.context["rows"]] == [
        f"kick-{n:03d}.myshopify.com" for n in (STORES_PER_PAGE, STORES_PER_PAGE + 1)
    ]


def test_logging_out_ends_the_session_and_the_console_asks_to_log_in_again(staff_client, shop_row):
    assert staff_client.get(reverse("staff:stores")).status_code == 200

    response = staff_client.post(reverse("staff:logout"))

    assert response.status_code == 302 and response["Location"] == reverse("staff:login")
    again = staff_client.get(reverse("staff:store", args=[shop_row.id]))
    assert again.status_code == 302 and again["Location"].startswith(reverse("staff:login"))
    assert "_auth_user_id" not in staff_client.session
