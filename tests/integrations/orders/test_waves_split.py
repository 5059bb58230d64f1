"""An order whose items belong to two SKU waves is held in two parts, each with its wave's hold:
releasing the first wave frees only its lines (the warehouse may fulfil them, not the others)."""

import httpx
import pytest

from integrations.orders.models import WaveMember
from tests.integrations.orders.test_waves_e2e import DOMAIN, wave_shop, waves  # noqa: F401 - the fixture
from tests.support.campaign_files import write_jsonl
from tests.support.push_checks import campaign, import_file, wait_all_final

Hold = WaveMember.Hold
GAMES = ("GAME-CORE", "GAME-DELUXE")


def _holds_by_sku(shopify_sim, source: str) -> dict[str, list[str]]:
    order = next(o for o in shopify_sim.orders(DOMAIN) if o["source_identifier"] == source)
    return {
        line["sku"]: sorted(h["handle"] for h in fo["holds"])
        for fo in order["fulfillment_orders"]
        for line in fo["line_items"]
        if line["remaining_quantity"]
    }


def test_an_order_of_two_sku_waves_is_held_in_two_parts_and_released_part_by_part(
    wave_shop,  # noqa: F811
    shopify_sim,
    push_workers,
    tmp_path,
):
    orders = [o for o in campaign(24) if {i["sku"] for i in o["items"]} & set(GAMES)
              and {i["sku"] for i in o["items"]} - set(GAMES)][:2]  # fmt: skip
    assert orders, "the campaign has orders with a game and an add-on"
    waves("create", "Games", "--skus", ",".join(GAMES), "--ship-date", "2027-03-01")
    waves("create", "Add-ons", "--skus", "EXP-FROST,DICE-METAL,PLAYMAT,SLEEVES-100", "--ship-date", "2027-05-01")
    waves("hold-new", "on")

    import_file(wave_shop, write_jsonl(tmp_path / "c.jsonl", orders))
    wait_all_final(wave_shop)

    games, add_ons = (wave_shop.waves.get(name=n) for n in ("Games", "Add-ons"))
    for order in orders:
        holds = _holds_by_sku(shopify_sim, order["id"])
        assert {i["sku"] for i in order["items"]} <= set(holds)
        # Lines of no SKU wave (a custom line without SKU) stay with the latest wave.
        assert holds == {sku: [games.handle if sku in GAMES else add_ons.handle] for sku in holds}
    assert set(WaveMember.objects.values_list("hold_state", flat=True)) == {Hold.HELD}

    waves("release", "Games")

    for order in orders:
        holds = _holds_by_sku(shopify_sim, order["id"])
        assert holds == {sku: [] if sku in GAMES else [add_ons.handle] for sku in holds}
        game = next(i for i in order["items"] if i["sku"] in GAMES)
        shopify_sim.fulfil(DOMAIN, order["id"], line_items=[{"sku": game["sku"], "quantity": game["quantity"]}])
        add_on = next(i for i in order["items"] if i["sku"] not in GAMES)
        with pytest.raises(httpx.HTTPStatusError) as refused:
            shopify_sim.fulfil(DOMAIN, order["id"], line_items=[{"sku": add_on["sku"], "quantity": add_on["quantity"]}])
        assert refused.value.response.status_code == 409
    assert WaveMember.objects.get(wave=add_ons, record__backerkit_order_id=orders[0]["id"]).hold_state == Hold.HELD
