"""The embedded default runs tasks off the request in a local worker, with beat's periodic work
beside it, and ``push_orders`` never waits on work that nothing will do.

The embedded default runs in child processes with no REDIS_URL, on the test PostgreSQL database,
against the Shopify simulator (the test process itself has the production shape: a broker)."""

import json
import subprocess
import sys
import time
from io import StringIO

from django.core.management import call_command
from django.utils import timezone

from integrations.orders.models import PushRecord
from tests.support.campaign_files import write_jsonl
from tests.support.embedded_default import assert_all_pushed_once, embedded_env, embedded_push_orders, seeded
from tests.support.processes import ROOT
from tests.support.push_checks import campaign

State = PushRecord.State

PUSH_CLICK = """
import json, time, django
django.setup()
from integrations.orders.models import PushRecord
from integrations.orders.services.push_requests import start_push
started = time.monotonic()
queued = start_push(shop_id={shop_id})
answered = time.monotonic() - started
deadline = time.monotonic() + 90
while PushRecord.objects.filter(shop_id={shop_id}).exclude(state__in=PushRecord.FINAL_STATES).exists():
    assert time.monotonic() < deadline, "the local worker did not push the orders"
    time.sleep(0.2)
print(json.dumps({{"queued": queued, "answered": answered}}))
"""

WEB_PROCESS = """
import time
import shopapp.wsgi  # the web process's start: Django, then its local worker and beat
from integrations.orders.models import PushRecord
deadline = time.monotonic() + 90
while PushRecord.objects.filter(shop_id={shop_id}).exclude(state__in=PushRecord.FINAL_STATES).exists():
    assert time.monotonic() < deadline, "nothing returned the dead claims"
    time.sleep(0.2)
"""


def test_a_push_click_answers_at_once_and_the_local_worker_pushes_off_the_request(
    sim_shop, shopify_sim, shopify_simulator, tmp_path
):
    seeded(shopify_sim, sim_shop, latency_ms="300-400")
    orders = campaign(20)
    call_command("push_orders", sim_shop.domain, str(write_jsonl(tmp_path / "c.jsonl", orders)),
                 "--connection", "Skyforge Store", "--no-wait", stdout=StringIO())  # fmt: skip
    PushRecord.objects.filter(shop=sim_shop).update(state=State.PAUSED)  # waiting for the merchant's Push

    click = [sys.executable, "-c", PUSH_CLICK.format(shop_id=sim_shop.id)]
    result = subprocess.run(click, cwd=ROOT, env=embedded_env(shopify_simulator), capture_output=True, text=True,
                            timeout=150)  # fmt: skip

    assert result.returncode == 0, result.stdout + result.stderr
    click = json.loads(result.stdout.strip().splitlines()[-1])
    assert click["queued"] == 20
    assert click["answered"] < 2.0, f"the Push click took {click['answered']:.1f} s: the push ran inside it"
    assert_all_pushed_once(shopify_sim, sim_shop, orders)


def test_claims_of_a_dead_process_are_returned_by_the_in_process_sweeper(
    sim_shop, shopify_sim, shopify_simulator, tmp_path
):
    seeded(shopify_sim, sim_shop)
    orders = campaign(20)
    call_command("push_orders", sim_shop.domain, str(write_jsonl(tmp_path / "c.jsonl", orders)),
                 "--connection", "Skyforge Store", "--no-wait", stdout=StringIO())  # fmt: skip
    # A process killed mid-push: its claims stay, with nobody left to finish them.
    PushRecord.objects.filter(shop=sim_shop).update(
        state=State.PUSHING, claim_token="dead", claimed_at=timezone.now() - timezone.timedelta(hours=1)
    )

    # The embedded web process starts (its wsgi module): nothing but its own beat finds the work.
    web = [sys.executable, "-c", WEB_PROCESS.format(shop_id=sim_shop.id)]
    result = subprocess.run(web, cwd=ROOT, env=embedded_env(shopify_simulator), capture_output=True, text=True,
                            timeout=150)  # fmt: skip

    assert result.returncode == 0, result.stdout + result.stderr
    assert_all_pushed_once(shopify_sim, sim_shop, orders)


def test_push_orders_gives_up_at_its_timeout_saying_what_is_left(sim_shop, shopify_sim, shopify_simulator, tmp_path):
    seeded(shopify_sim, sim_shop)
    orders = campaign(5)
    shopify_sim.fault(sim_shop.domain, http_5xx=100_000)  # Shopify is down for longer than we wait

    started = time.monotonic()
    result = embedded_push_orders(sim_shop, write_jsonl(tmp_path / "c.jsonl", orders), shopify_simulator, timeout=8)

    assert time.monotonic() - started < 60
    assert "Gave up waiting after 8 s" in result.stdout and "5 pending" in result.stdout
    assert "Nothing is lost" in result.stdout
    assert "Waiting for 5 orders to be pushed by this process's local worker" in result.stdout
    assert not PushRecord.objects.filter(shop=sim_shop, state__in=PushRecord.FINAL_STATES).exists()


def test_push_orders_does_not_wait_when_no_worker_would_push(sim_shop, shopify_sim, tmp_path):
    seeded(shopify_sim, sim_shop)
    out = StringIO()
    started = time.monotonic()

    call_command("push_orders", sim_shop.domain, str(write_jsonl(tmp_path / "c.jsonl", campaign(5))),
                 "--connection", "Skyforge Store", "--timeout", "60", stdout=out)  # fmt: skip

    assert time.monotonic() - started < 20, "waited on work that no worker will do"
    assert "No Celery worker answered" in out.getvalue()
    assert PushRecord.objects.filter(shop=sim_shop, state=State.PENDING).count() == 5
