"""What every process of a drill is given: the app's production settings (DEBUG off, PostgreSQL,
Redis, Celery), pointed at the drill's private services and simulators, with the recovery knobs
shortened so that recovery happens within a drill's time instead of production's minutes."""

import os

# shopapp/settings.py reads each of these; production defaults in brackets.
RECOVERY = {
    "PUSH_LANES_PER_SHOP": "8",  # [32] 3 workers x 4 threads on 2 cores
    "PUSH_LANE_BUDGET_SECONDS": "3",  # [10] lanes hand their worker back often
    "PUSH_CLAIM_LEASE_SECONDS": "8",  # [120] a dead lane's claims are taken back after this
    "PUSH_SWEEP_INTERVAL_SECONDS": "2",  # [30] the sweeper (beat)
    "PUSH_SEARCH_GRACE_SECONDS": "6",  # [60] "not found by search" trusted after this
    "PUSH_HOLD_CHECK_SECONDS": "3",  # [180] a store Shopify froze or locked is asked again this often
    "SHOPIFY_READ_TIMEOUT": "5",  # [30] an answer withheld longer is a lost answer
    "LOG_LEVEL": "INFO",
}


def app_env(
    *, database_url: str, redis_url: str, app_url: str, shopify_url: str, backerkit_url: str = ""
) -> dict[str, str]:
    """The environment of every process of one drill (the secrets come from scripts/drills)."""
    env = dict(os.environ)
    env.update(RECOVERY)
    env.update(
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        APP_URL=app_url,
        SHOPIFY_ORIGIN_TEMPLATE=f"{shopify_url}/{{shop}}",
        BACKERKIT_API_URL=backerkit_url or "http://127.0.0.1:9",
        PYTHONUNBUFFERED="1",
    )
    return env
