"""The after-the-push documents the simulator's tests send validate against the 2026-07 schema."""

import pytest

from integrations.shopify.schema import validation_errors
from tests.support.after_push_documents import ALL


@pytest.mark.parametrize("name", sorted(ALL))
def test_each_document_validates_against_the_schema(name):
    assert validation_errors(ALL[name]) == []
