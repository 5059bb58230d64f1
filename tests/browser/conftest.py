"""Browser tests: headless Debian Chromium (Playwright, sync API) opening the app as the Shopify
admin does, through the Shopify simulator's stand-in admin page, which frames the app with an id
token in the query and answers the frame's id-token requests (App Bridge's CDN is unreachable
here, so the pages run on their server-rendered fallback, as they must).

Every page records its Web Vitals (LCP, CLS, INP) with PerformanceObserver from the first byte;
``vitals(frame)`` reads them and the tests print them.
"""

import os

import pytest
from django.urls import reverse
from playwright.sync_api import sync_playwright

from tests.support.browser_pages import DESKTOP, PHONE, new_page
from tests.support.campaign_files import CATALOG
from tests.support.shops import connected_shop
from tests.support.static_storage import _plain_static_storage  # noqa: F401


@pytest.fixture(scope="session")
def chromium():
    # Playwright's sync API runs an event loop in this thread; Django's ORM refuses to run
    # where a loop is running unless told that this (test-only) use is safe.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        yield from _launch()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


def _launch():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


@pytest.fixture(scope="session", autouse=True)
def _views_imported():
    """The URLconf imports every view on its first use (about 0.6 s of CPU, several seconds on a
    loaded machine); a serving process has done that long before a merchant's page, so the first
    page of the session should not pay for it inside its Largest Contentful Paint."""
    reverse("pages:orders")


@pytest.fixture
def admin_app(shopify_sim, shopify_simulator, live_server, settings):
    """The simulator's admin frames the live server (returns the simulator's control client)."""
    shopify_sim.configure(app_url=live_server.url)
    settings.APP_URL = live_server.url
    settings.CSRF_TRUSTED_ORIGINS = [live_server.url]
    return shopify_sim


@pytest.fixture
def sim_shop(admin_app, transactional_db):
    shop = connected_shop(admin_app, domain="browser-store.myshopify.com")
    admin_app.seed_products(shop.domain, CATALOG)
    return shop


@pytest.fixture
def desktop(chromium):
    page = new_page(chromium, DESKTOP)
    yield page
    page.context.close()


@pytest.fixture
def phone(chromium):
    page = new_page(chromium, PHONE)
    yield page
    page.context.close()


@pytest.fixture
def push_worker(worker_factory, shopify_simulator, backerkit_sim):
    """A real Celery worker on the test database, pointed at the simulators (one lane per shop, so
    a push lasts long enough for its progress to be seen)."""
    return worker_factory(
        name="browser",
        concurrency=2,
        SHOPIFY_ORIGIN_TEMPLATE=shopify_simulator.origin_template,
        BACKERKIT_API_URL=backerkit_sim.url,
        PUSH_LANES_PER_SHOP="1",
        PUSH_SEARCH_GRACE_SECONDS="2",
    )
