"""Lanes, claims and variants on their own: records imported straight into the database and lanes
run in the test's thread against the Shopify simulator (no worker: the lane is the unit here)."""

import pytest


@pytest.fixture
def lane_settings(settings):
    settings.PUSH_BATCH_SIZE = 25
    settings.PUSH_CRASH_BACKOFF_SECONDS = 10.0
    settings.PUSH_MAX_LANE_CRASHES = 3
    return settings
