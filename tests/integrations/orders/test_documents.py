"""Every GraphQL document of the push, and every mapped order, checked against Shopify's schema:
a document or a variable Shopify would refuse fails here, not in a merchant's push."""

import json

import graphql
import pytest
from graphql.execution.values import get_variable_values

from integrations.orders.documents import ALL_DOCUMENTS, ORDER_CREATE, skus_query, source_identifier_query
from integrations.orders.mapping import MappedOrder, ShopSettings, map_order
from integrations.shopify.schema import admin_schema, validation_errors
from tests.support.campaign_files import FIXTURES
from tests.support.mapping_cases import VARIANTS, load_order


def variable_errors(document: str, variables: dict) -> list[str]:
    """Coerce ``variables`` exactly as a GraphQL server would before executing ``document``."""
    operation = next(d for d in graphql.parse(document).definitions if isinstance(d, graphql.OperationDefinitionNode))
    # A JSON round trip first: what is sent is JSON, not Python objects.
    result = get_variable_values(admin_schema(), operation.variable_definitions, json.loads(json.dumps(variables)))
    return [error.message for error in result] if isinstance(result, list) else []


@pytest.mark.parametrize("name", sorted(ALL_DOCUMENTS))
def test_document_is_valid_against_the_admin_schema(name):
    assert validation_errors(ALL_DOCUMENTS[name]) == []


MAPPABLE = sorted(
    path.stem
    for path in FIXTURES.glob("*.json")
    if path.stem not in ("unknown_sku", "currency_mismatch", "unresolvable_region")
)
SETTINGS = {
    "defaults": ShopSettings(connected_store_name="Skyforge Store"),
    "tax_lines": ShopSettings(tax_mode="tax_lines", connected_store_name="Skyforge Store"),
    "no_transaction_data": ShopSettings(
        include_transaction_data=False, inventory_behaviour="DECREMENT_IGNORING_POLICY"
    ),
}


@pytest.mark.parametrize("settings_name", sorted(SETTINGS))
@pytest.mark.parametrize("case", MAPPABLE)
def test_mapped_order_is_a_valid_order_create_input(case, settings_name):
    order = load_order(case)
    settings = SETTINGS[settings_name]
    settings = ShopSettings(**{**settings.__dict__, "shop_currency": order.currency})
    result = map_order(order, settings=settings, variants=VARIANTS)
    assert isinstance(result, MappedOrder), result
    assert variable_errors(ORDER_CREATE, {"order": result.order_input, "options": result.options}) == []


def test_a_mapping_shopify_would_refuse_fails_the_variable_check():
    result = map_order(load_order("paid"), settings=ShopSettings(), variants=VARIANTS)
    broken = {**result.order_input, "financialStatus": "MOSTLY_PAID"}
    assert variable_errors(ORDER_CREATE, {"order": broken, "options": result.options}) != []


def test_search_queries_quote_their_values():
    assert skus_query(["A-1", 'B"2']) == 'sku:"A-1" OR sku:"B\\"2"'
    assert source_identifier_query("bk-1") == 'source_identifier:"bk-1"'


def test_the_mapped_cases_are_found():
    # The parametrised test above passes with no case at all if the glob finds no fixture.
    assert len(MAPPABLE) >= 10, f"no captured orders found in {FIXTURES}"
