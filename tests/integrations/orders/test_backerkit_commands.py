"""connect_backerkit and pull_orders: a rep connects a project and pulls it now, without the pages,
through the same services as the pages; the API key only ever comes from standard input."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from integrations.backerkit.simulator.campaign import generate_campaign, sample_catalog
from integrations.orders.models import BackerKitConnection, PushRecord
from tests.support.push_checks import assert_each_order_once

KEY = "bk-live-key-9876"


def connect(shop, backerkit_sim, *, key: str = KEY, **extra) -> str:
    out = io.StringIO()
    call_command("connect_backerkit", shop.domain, "--name", "Skyforge Store", "--project", "skyforge",
                 "--api-url", backerkit_sim.url, stdin=io.StringIO(key + "\n"), stdout=out, **extra)  # fmt: skip
    return out.getvalue()


@pytest.fixture
def project(backerkit_sim):
    backerkit_sim.state.add_project(id="skyforge", api_key=KEY, name="Skyforge", currency="USD")
    return backerkit_sim


def test_connect_backerkit_checks_the_key_and_says_what_it_found(sim_shop, project):
    said = connect(sim_shop, project)

    connection = BackerKitConnection.objects.get(shop=sim_shop)
    assert (connection.project, connection.api_key, connection.api_url) == ("skyforge", KEY, project.url)
    assert "project 'skyforge' (USD)" in said and "••••9876" in said and KEY not in said


def test_connect_backerkit_saves_nothing_when_backerkit_refuses_the_key(sim_shop, project):
    with pytest.raises(CommandError, match="refused the API key"):
        connect(sim_shop, project, key="wrong-key")
    assert not BackerKitConnection.objects.exists()


def test_the_api_key_is_no_argument_and_the_api_url_must_be_https(sim_shop, project):
    with pytest.raises(CommandError):
        call_command("connect_backerkit", sim_shop.domain, "--name", "S", "--project", "p", "--api-key", KEY)
    with pytest.raises(CommandError, match="https"):
        connect(sim_shop, project, api_url="http://backerkit.example.com")


def test_pull_orders_pulls_and_pushes_every_locked_order_and_waits_until_final(
    sim_shop, shopify_sim, project, push_workers
):
    shopify_sim.seed_products(sim_shop.domain, sample_catalog())
    orders = generate_campaign(backers=12, seed=5, id_prefix="pull")
    project.state.add_orders("skyforge", orders, locked=True)
    connect(sim_shop, project)
    out = io.StringIO()

    call_command("pull_orders", sim_shop.domain, "--connection", "Skyforge Store", "--timeout", "90", stdout=out)

    said = out.getvalue()
    assert "12 orders read: 12 accepted" in said and "pushed: 12" in said and "pull   [" in said
    assert not PushRecord.objects.exclude(state__in=PushRecord.FINAL_STATES).exists()
    assert_each_order_once(shopify_sim, sim_shop, orders)
