"""Drills 1-3: the machinery under the push fails mid-push -- a worker is SIGKILLed (and restarted,
as a supervisor would), Redis restarts empty, PostgreSQL restarts -- and the push must recover by
itself: claims of dead lanes taken back by the sweeper, lost messages replaced, connections
re-established, answers lost in flight resolved by looking the order up in Shopify."""

from drills.drill import Drill
from drills.pushing import count_pushed, push_campaign, wait_mid_push, wait_settled
from drills.shops import open_shop
from drills.stack import Stack
from drills.tally import Tally
from integrations.backerkit.simulator.campaign import generate_campaign

CAMPAIGN = 300  # orders: enough to be mid-push when the fault strikes
SETTLE_SECONDS = 150.0
OUTAGE_SECONDS = 3.0  # how long Redis or PostgreSQL stays down


def _push_until_midway(stack: Stack, *, domain: str, prefix: str, seed: int):
    shop = open_shop(stack, domain)
    orders = generate_campaign(backers=CAMPAIGN, seed=seed, id_prefix=prefix)
    push_campaign(stack, shop, orders)
    pushed = wait_mid_push(stack, shop, pushed=CAMPAIGN // 4, total=CAMPAIGN)
    return shop, orders, pushed


def worker_killed(stack: Stack) -> Tally:
    shop, orders, pushed = _push_until_midway(stack, domain="drill-worker-kill.myshopify.com", prefix="kill", seed=1)
    victim, lanes = stack.busiest_worker()
    stack.kill_worker(victim)
    notes = [f"SIGKILLed worker {victim} while it ran {lanes} lanes, {pushed}/{len(orders)} pushed; restarted it"]
    stack.start_worker(victim)
    wait_settled(stack, shop, records=len(orders), timeout=SETTLE_SECONDS)
    return count_pushed(stack, shop, orders, notes)


def redis_restarted(stack: Stack) -> Tally:
    shop, orders, pushed = _push_until_midway(stack, domain="drill-redis.myshopify.com", prefix="redis", seed=2)
    stack.restart_redis(down_seconds=OUTAGE_SECONDS)
    notes = [f"Redis down {OUTAGE_SECONDS:.0f}s and restarted empty with {pushed}/{len(orders)} pushed"]
    wait_settled(stack, shop, records=len(orders), timeout=SETTLE_SECONDS)
    stack.check_consuming()
    notes.append("every worker consumes from the restarted Redis")
    return count_pushed(stack, shop, orders, notes)


def postgres_restarted(stack: Stack) -> Tally:
    shop, orders, pushed = _push_until_midway(stack, domain="drill-postgres.myshopify.com", prefix="pg", seed=3)
    stack.restart_postgres(down_seconds=OUTAGE_SECONDS)
    notes = [f"PostgreSQL down {OUTAGE_SECONDS:.0f}s (fast shutdown) and restarted with {pushed}/{len(orders)} pushed"]
    wait_settled(stack, shop, records=len(orders), timeout=SETTLE_SECONDS)
    stack.check_consuming()
    return count_pushed(stack, shop, orders, notes)


DRILLS = (
    Drill(1, "worker-kill", "worker SIGKILLed mid-push, restarted", worker_killed),
    Drill(2, "redis-restart", "Redis restarted mid-push", redis_restarted),
    Drill(3, "postgres-restart", "PostgreSQL restarted mid-push", postgres_restarted),
)
