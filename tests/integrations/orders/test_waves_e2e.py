"""Waves end to end: real workers, PostgreSQL, Redis and the Shopify simulator. Orders are pushed
held for their wave, released by wave or country first, late pledges follow their wave's state,
and an interrupted release leaves no hold behind and releases none twice."""

import copy
import io

import pytest
from django.conf import settings
from django.core.management import call_command

from integrations.orders.models import PushRecord, Wave, WaveMember, WaveRelease
from integrations.shops.models import Shop
from tests.support.campaign_files import write_jsonl
from tests.support.processes import wait_for
from tests.support.push_checks import assert_each_order_once, campaign, import_file, wait_all_final
from tests.support.push_workers import push_worker_env

DOMAIN = "wave-store.myshopify.com"
Hold = WaveMember.Hold
NA, EU = "US,CA", "DE,NL,BE,SE,GB"


@pytest.fixture
def wave_shop(transactional_db, shopify_sim):
    """A connected shop that granted the fulfilment scopes, with the campaign's catalog."""
    from integrations.backerkit.simulator.campaign import sample_catalog

    shopify_sim.create_shop(domain=DOMAIN, plan="plus", scopes=settings.SHOPIFY_SCOPES)
    shopify_sim.seed_products(DOMAIN, sample_catalog())
    token = shopify_sim.mint_token(DOMAIN, kind="expiring", scopes=settings.SHOPIFY_SCOPES)
    return Shop.objects.create(
        domain=DOMAIN, name="wave-store", currency="USD", status=Shop.Status.CONNECTED,
        access_token=token["access_token"], refresh_token=token["refresh_token"],
        token_kind=Shop.TokenKind.EXPIRING, scopes=",".join(settings.SHOPIFY_SCOPES),
    )  # fmt: skip


def waves(*args: str) -> str:
    out = io.StringIO()
    call_command("waves", DOMAIN, *args, stdout=out)
    return out.getvalue()


def held_in_shopify(shopify_sim) -> dict[str, list[str]]:
    """source identifier -> the handles of the holds on its fulfilment orders, in the simulator."""
    return {
        o["source_identifier"]: [h["handle"] for fo in o["fulfillment_orders"] for h in fo["holds"]]
        for o in shopify_sim.orders(DOMAIN)
    }


def pledge(order: dict, *, id: str, country: str) -> dict:  # noqa: A002
    late = copy.deepcopy(order)
    late["id"], late["pledge_id"], late["backer_id"] = id, f"pl-{id}", f"b-{id}"
    late["shipping_address"]["country_code"] = country
    late["shipping_address"]["region"] = "NY" if country == "US" else ""
    return late


def test_a_campaign_in_three_waves_is_held_released_by_country_then_whole(
    wave_shop, shopify_sim, push_workers, tmp_path
):
    orders = campaign(24)
    waves("create", "North America", "--countries", NA, "--ship-date", "2027-03-01")
    waves("create", "Europe", "--countries", EU, "--ship-date", "2027-04-01")
    waves("create", "Everyone else", "--rest", "--ship-date", "2027-06-01")
    waves("hold-new", "on")
    na, eu, rest = (Wave.objects.get(shop=wave_shop, name=n) for n in ("North America", "Europe", "Everyone else"))

    import_file(wave_shop, write_jsonl(tmp_path / "c.jsonl", orders))
    wait_all_final(wave_shop)

    assert_each_order_once(shopify_sim, wave_shop, orders)
    countries = {o["id"]: o["shipping_address"]["country_code"] for o in orders}
    expected = {oid: (na if c in NA else eu if c in EU else rest) for oid, c in countries.items()}
    assert held_in_shopify(shopify_sim) == {oid: [w.handle] for oid, w in expected.items()}
    assert set(WaveMember.objects.values_list("hold_state", flat=True)) == {Hold.HELD}
    listing = waves("list")
    in_na = sum(w == na for w in expected.values())
    assert f"North America: countries CA,US; ship date 2027-03-01; Not released; {in_na} orders" in listing

    out = waves("release", "North America", "--countries", "US")

    assert "holds to release" in out and "Released:" in out
    now_held = held_in_shopify(shopify_sim)
    assert all((now_held[oid] == []) == (countries[oid] == "US") for oid in orders_ids(orders))
    audit = WaveRelease.objects.get(wave=na)
    assert (audit.requested_by, audit.countries, audit.targeted) == (
        "command (manage.py waves)",
        ["US"],
        sum(c == "US" for c in countries.values()),
    )

    # Late pledges follow their wave's state: released for the US, still held in Europe.
    late = [pledge(orders[0], id="late-us", country="US"), pledge(orders[0], id="late-de", country="DE")]
    import_file(wave_shop, write_jsonl(tmp_path / "late.jsonl", late))
    wait_all_final(wave_shop)
    now_held = held_in_shopify(shopify_sim)
    assert (now_held["late-us"], now_held["late-de"]) == ([], [eu.handle])

    for name in ("Europe", "Everyone else", "North America"):
        waves("release", name)

    assert all(handles == [] for handles in held_in_shopify(shopify_sim).values())  # 0 holds left behind
    assert shopify_sim.counters().get("fulfillment_hold_release_noops", 0) == 0  # 0 released twice
    assert set(WaveMember.objects.values_list("hold_state", flat=True)) == {Hold.RELEASED, Hold.NOT_HELD}
    assert WaveMember.objects.get(record__backerkit_order_id="late-us").hold_state == Hold.NOT_HELD


def orders_ids(orders: list[dict]) -> list[str]:
    return [o["id"] for o in orders]


def test_a_release_interrupted_by_a_worker_kill_and_a_5xx_storm_leaves_no_hold_and_releases_none_twice(
    wave_shop, shopify_sim, worker_factory, shopify_simulator, backerkit_sim, tmp_path
):
    env = push_worker_env(shopify_simulator, backerkit_sim)
    victim = worker_factory(name="victim", concurrency=8, **env)  # pushes, then dies releasing
    orders = campaign(40, seed=11)
    waves("create", "Everything", "--rest")
    waves("hold-new", "on")
    import_file(wave_shop, write_jsonl(tmp_path / "c.jsonl", orders))
    wait_all_final(wave_shop)
    assert all(len(h) == 1 for h in held_in_shopify(shopify_sim).values())
    shopify_sim.update_shop(DOMAIN, latency_ms="60-120")  # the release takes long enough to be interrupted

    # The first releases are executed by Shopify and their answers lost: a blind resend would double them.
    shopify_sim.fault(DOMAIN, drop_connection=3, drop_when="after", hold_seconds=0)

    waves("release", "Everything", "--no-wait")
    wait_for(lambda: WaveMember.objects.filter(hold_state=Hold.RELEASED).count() >= 5, timeout=60,
             what="the release to be under way")  # fmt: skip
    victim.kill()
    assert WaveMember.objects.filter(hold_state=Hold.RELEASING).exists(), "the victim died holding no release"
    shopify_sim.fault(DOMAIN, http_5xx=12)
    worker_factory(name="rescuer", concurrency=4, beat=True, **env)

    wait_for(lambda: WaveMember.objects.filter(hold_state=Hold.RELEASED).count() == len(orders), timeout=90,
             what="every hold to be released", interval=0.3)  # fmt: skip
    assert all(handles == [] for handles in held_in_shopify(shopify_sim).values())
    counters = shopify_sim.counters()
    assert counters.get("fulfillment_hold_release_noops", 0) == 0
    assert counters["fulfillment_holds_released"] == len(orders)
    assert counters["fault_http_5xx"] == 12 and counters["fault_drop_after"] == 3
    assert PushRecord.objects.filter(shop=wave_shop, state=PushRecord.State.PUSHED).count() == len(orders)
