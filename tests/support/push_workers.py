"""Push workers for tests: the environment of a real Celery worker pointed at the simulators,
with recovery knobs short enough for a test."""


def push_worker_env(shopify_simulator, backerkit_sim) -> dict[str, str]:
    """A push worker's environment: the simulators, and the short recovery knobs below."""
    return {
        **PUSH_WORKER_ENV,
        "SHOPIFY_ORIGIN_TEMPLATE": shopify_simulator.origin_template,
        "BACKERKIT_API_URL": backerkit_sim.url,
    }


# Short leases and grace periods so that recovery paths run within a test's time.
PUSH_WORKER_ENV = {
    "PUSH_SEARCH_GRACE_SECONDS": "3",
    "PUSH_CLAIM_LEASE_SECONDS": "6",
    "PUSH_LANE_BUDGET_SECONDS": "3",
    "PUSH_SWEEP_INTERVAL_SECONDS": "2",
    "SHOPIFY_READ_TIMEOUT": "2",
    "BULK_TICK_SECONDS": "1",
}
