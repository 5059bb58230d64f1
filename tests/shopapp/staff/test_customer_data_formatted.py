"""Staff "Show customer data": the address as written on a parcel, never a Python dict repr."""

from django.urls import reverse

from tests.support.campaign_files import fixture_order
from tests.support.push_records import State, record


def test_the_customers_address_is_formatted_lines_not_a_dict(staff_client, shop_row, conn):
    order = fixture_order("partially_paid")
    rec = record(
        shop_row, conn, order["id"], State.PUSHED, order_data=order, sent_input={"order": {"email": order["email"]}}
    )

    page = staff_client.post(
        reverse("staff:order", args=[shop_row.id, rec.id]), {"reveal": "customer"}
    ).content.decode()

    assert "Ada Lovelace" in page and "ada@example.com" in page
    assert "12 Main Street<br>Apt 4<br>90210 Springfield CA<br>US" in page
    assert "1 × Frost Giants Expansion (EXP-FROST)" in page
    assert "&#x27;company&#x27;: None" not in page and "'company': None" not in page
