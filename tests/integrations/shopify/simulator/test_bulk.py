"""The simulated bulk import, as Shopify documents it (docs/shopify-facts.md, "Bulk mutations")."""

import time

import httpx
import pytest

from integrations.orders.documents import RECENT_BULK_OPERATIONS, STAGED_UPLOADS_CREATE
from tests.support import bulk_upload as bulk
from tests.support.simulator_orders import order_input


@pytest.fixture
def fast(shopify_sim, shop_domain):
    shopify_sim.bulk(shop_domain, lines_per_second=500, start_delay_seconds=0.05, window=4)


def _lines(variants, n, prefix="bk"):
    return [{"order": order_input(variants["GAME"], sourceIdentifier=f"{prefix}-{i}")} for i in range(n)]


def test_lines_run_through_order_create_and_results_come_back_by_line_number(
    shopify_sim, shop_domain, token, variants, fast
):
    shopify_sim.fault(shop_domain, user_errors_for=["bk-3"])
    gid = bulk.staged_and_run(shopify_sim, shop_domain, token, _lines(variants, 10))

    node = bulk.wait_until_done(shopify_sim, shop_domain, token, gid)

    assert node["status"] == "COMPLETED" and node["objectCount"] == "10"
    lines = bulk.results(node["url"])
    assert sorted(line["__lineNumber"] for line in lines) == list(range(10))
    assert [line["__lineNumber"] for line in lines] != list(range(10))  # not in input order
    by_line = {line["__lineNumber"]: line["data"]["orderCreate"] for line in lines}
    assert by_line[3]["order"] is None and by_line[3]["userErrors"]
    assert by_line[0]["order"]["name"].startswith("#") and by_line[0]["userErrors"] == []
    orders = shopify_sim.orders(shop_domain)
    assert sorted(o["source_identifier"] for o in orders) == sorted(f"bk-{i}" for i in range(10) if i != 3)


def test_run_costs_no_points_and_finish_webhook_is_signed(shopify_sim, shop_domain, token, variants, fast):
    target = bulk.stage(shopify_sim, shop_domain, token)
    assert bulk.upload(target, _lines(variants, 2)).status_code == 201
    body = bulk.run(shopify_sim, shop_domain, token, bulk.key_of(target))

    assert body["extensions"]["cost"]["requestedQueryCost"] == 0
    gid = body["data"]["bulkOperationRunMutation"]["bulkOperation"]["id"]
    bulk.wait_until_done(shopify_sim, shop_domain, token, gid)
    delivery = _finish_delivery(shopify_sim)
    assert delivery["headers"]["X-Shopify-Topic"] == "bulk_operations/finish"
    assert delivery["headers"]["X-Shopify-Hmac-Sha256"]
    assert '"status":"completed"' in delivery["body"] and gid in delivery["body"]


def _finish_delivery(sim, timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [d for d in sim.deliveries() if d["topic"] == "bulk_operations/finish"]
        if found:
            return found[-1]
        time.sleep(0.05)
    raise AssertionError("no bulk_operations/finish delivery")


def test_upload_needs_the_file_part_last_and_the_signed_fields(shopify_sim, shop_domain, token, variants):
    target = bulk.stage(shopify_sim, shop_domain, token)
    assert bulk.upload(target, _lines(variants, 1), file_last=False).status_code == 400
    target["parameters"] = [p if p["name"] != "policy" else {**p, "value": "x"} for p in target["parameters"]]
    assert bulk.upload(target, _lines(variants, 1)).status_code == 403


@pytest.mark.parametrize(
    ("mutation", "code"),
    [
        ("mutation { bulkOperationRunMutation(mutation: \"\", stagedUploadPath: \"\") { userErrors { message } } }",
         "INVALID_MUTATION"),
        ("mutation { orderCreate(order: {}) { nope } }", "INVALID_MUTATION"),
        ("query { shop { name } }", "INVALID_MUTATION"),
    ],
)  # fmt: skip
def test_refuses_invalid_or_nested_mutations(shopify_sim, shop_domain, token, variants, mutation, code):
    target = bulk.stage(shopify_sim, shop_domain, token)
    bulk.upload(target, _lines(variants, 1))
    errors = bulk.run(shopify_sim, shop_domain, token, bulk.key_of(target), mutation)["data"][
        "bulkOperationRunMutation"
    ]["userErrors"]
    assert [e["code"] for e in errors] == [code]


def test_no_such_file_and_at_most_five_running(shopify_sim, shop_domain, token, variants):
    errors = bulk.run(shopify_sim, shop_domain, token, "tmp/none/bulk/x/orders.jsonl")["data"]
    assert errors["bulkOperationRunMutation"]["userErrors"][0]["code"] == "NO_SUCH_FILE"
    shopify_sim.bulk(shop_domain, start_delay_seconds=30)
    for i in range(5):
        bulk.staged_and_run(shopify_sim, shop_domain, token, _lines(variants, 1, prefix=f"op{i}"))
    target = bulk.stage(shopify_sim, shop_domain, token)
    bulk.upload(target, _lines(variants, 1, prefix="sixth"))
    sixth = bulk.run(shopify_sim, shop_domain, token, bulk.key_of(target))["data"]["bulkOperationRunMutation"]
    assert [e["code"] for e in sixth["userErrors"]] == ["OPERATION_IN_PROGRESS"]
    recent = shopify_sim.graphql(shop_domain, token, RECENT_BULK_OPERATIONS, {"first": 10}).json()
    assert [n["status"] for n in recent["data"]["bulkOperations"]["nodes"]] == ["CREATED"] * 5


def test_failed_halfway_leaves_partial_data_and_the_results_file_fails_once(
    shopify_sim, shop_domain, token, variants, fast
):
    shopify_sim.bulk(shop_domain, fail_after_lines=4, results_5xx=1)
    gid = bulk.staged_and_run(shopify_sim, shop_domain, token, _lines(variants, 10))

    node = bulk.wait_until_done(shopify_sim, shop_domain, token, gid)

    assert node["status"] == "FAILED" and node["errorCode"] == "INTERNAL_SERVER_ERROR" and node["url"] is None
    assert httpx.get(node["partialDataUrl"]).status_code == 503
    assert len(bulk.results(node["partialDataUrl"])) == 4
    assert len(shopify_sim.orders(shop_domain)) == 4


def test_a_changed_file_fails_the_operation_and_cancel_and_lost_webhook(shopify_sim, shop_domain, token, variants):
    shopify_sim.bulk(shop_domain, lines_per_second=20, start_delay_seconds=0.05, lose_finish_webhooks=1)
    target = bulk.stage(shopify_sim, shop_domain, token)
    bulk.upload(target, _lines(variants, 20))
    gid = bulk.run(shopify_sim, shop_domain, token, bulk.key_of(target))["data"]["bulkOperationRunMutation"][
        "bulkOperation"
    ]["id"]
    bulk.upload(target, _lines(variants, 20, prefix="changed"))

    node = bulk.wait_until_done(shopify_sim, shop_domain, token, gid)

    assert node["status"] == "FAILED"
    assert not [d for d in shopify_sim.deliveries() if d["topic"] == "bulk_operations/finish"]
    shopify_sim.bulk(shop_domain, cancel_after_lines=2, lines_per_second=500)
    gid = bulk.staged_and_run(shopify_sim, shop_domain, token, _lines(variants, 10, prefix="c"))
    assert bulk.wait_until_done(shopify_sim, shop_domain, token, gid)["status"] == "CANCELED"


def test_staged_upload_costs_points_like_any_mutation(shopify_sim, shop_domain, token):
    variables = {"input": [{"resource": "BULK_MUTATION_VARIABLES", "filename": "a.jsonl",
                            "mimeType": "text/jsonl", "httpMethod": "POST"}]}  # fmt: skip
    body = shopify_sim.graphql(shop_domain, token, STAGED_UPLOADS_CREATE, variables).json()
    assert body["extensions"]["cost"]["requestedQueryCost"] >= 10
