"""Every document of the change lane is valid against Shopify's Admin schema."""

import pytest

from integrations.orders.change_documents import ALL_CHANGE_DOCUMENTS
from integrations.shopify.schema import validation_errors


@pytest.mark.parametrize("name", sorted(ALL_CHANGE_DOCUMENTS))
def test_change_document_is_valid_against_the_admin_schema(name):
    assert validation_errors(ALL_CHANGE_DOCUMENTS[name]) == []
