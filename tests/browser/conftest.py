"""Browser tests: headless Debian Chromium (Playwright, sync API) opening the app as the Shopify
admin does, through the Shopify simulator's stand-in admin page, which frames the app with an id
token in the query and answers the frame's id-token requests (App Bridge's CDN is unreachable
here, so the pages run on their server-rendered fallback, as they must).

Every page records its Web Vitals (LCP, CLS, INP) with PerformanceObserver from the first byte;
``vitals(frame)`` reads them and the tests print them.
"""

import json
import os
from pathlib import Path

import pytest
from playwright.sync_api import Frame, Page, sync_playwright

from tests.integrations.orders.conftest import CATALOG
from tests.support.shops import connected_shop
from tests.support.static_storage import _plain_static_storage  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
DOCS_SCREENSHOTS = ROOT / "docs" / "screenshots"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}

# Web Vitals as web-vitals.js defines them: LCP = the last largest-contentful-paint entry before
# input; CLS = the largest session window of layout shifts without recent input; INP = the longest
# interaction (event entries with an interactionId).
VITALS_SCRIPT = """
(() => {
  const v = window.__vitals = {lcp: null, cls: 0, inp: null, interactions: 0};
  try {
    new PerformanceObserver((list) => { for (const e of list.getEntries()) v.lcp = e.startTime; })
      .observe({type: "largest-contentful-paint", buffered: true});
    let session = 0, first = 0, last = 0;
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        if (e.hadRecentInput) continue;
        v.shifts = (v.shifts || []).concat([{at: Math.round(e.startTime), value: e.value,
          sources: (e.sources || []).map((x) => [x.node && x.node.nodeName, x.node && x.node.id,
            JSON.stringify(x.previousRect), JSON.stringify(x.currentRect)])}]);
        if (session && e.startTime - last < 1000 && e.startTime - first < 5000) { session += e.value; }
        else { session = e.value; first = e.startTime; }
        last = e.startTime;
        v.cls = Math.max(v.cls, session);
      }
    }).observe({type: "layout-shift", buffered: true});
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        if (!e.interactionId) continue;
        v.interactions += 1;
        v.inp = Math.max(v.inp || 0, e.duration);
      }
    }).observe({type: "event", buffered: true, durationThreshold: 16});
    // Interactions under 16 ms never reach the observer above; the first input always does.
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) { v.interactions += 1; v.inp = Math.max(v.inp || 0, e.duration); }
    }).observe({type: "first-input", buffered: true});
  } catch (error) { v.error = String(error); }
})();
"""

LCP_BUDGET_MS = 2500
CLS_BUDGET = 0.1
INP_BUDGET_MS = 200


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


def new_page(chromium, viewport: dict) -> Page:
    # A phone is emulated as one: a mobile browser (is_mobile: it honours <meta name="viewport">,
    # which the simulated admin and the app both have), touch, and a phone's pixel density.
    phone = viewport["width"] < 500
    context = chromium.new_context(
        viewport=viewport, device_scale_factor=3 if phone else 1, is_mobile=phone, has_touch=phone
    )
    context.add_init_script(VITALS_SCRIPT)
    # App Bridge's CDN is unreachable in tests; fail it fast instead of waiting for a timeout.
    context.route("https://cdn.shopify.com/**", lambda route: route.abort())
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    page.set_default_timeout(15_000)
    return page


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


def open_in_admin(page: Page, sim, shop_domain: str, path: str = "") -> Frame:
    """Load the simulated admin page for ``path`` and return the app's frame once it rendered."""
    from django.conf import settings

    page.goto(f"{sim.url}/{shop_domain}/admin/apps/{settings.SHOPIFY_API_KEY}/{path.lstrip('/')}")
    return app_frame(page)


def app_frame(page: Page) -> Frame:
    """The app's frame, once loaded. Nothing touches its DOM before its load event: a script that
    forces a layout before the stylesheet arrives would record a layout shift no merchant sees."""
    page.wait_for_load_state("load")  # the admin page's load waits for its frame's
    frame = next(f for f in page.frames if f.parent_frame is not None)
    frame.wait_for_load_state("load")
    return frame


def navigate(frame: Frame, action) -> Frame:
    """Run ``action`` (a click that loads another page in the app's frame) and wait for the new
    page's load event before anything looks at it (see ``app_frame``)."""
    with frame.expect_navigation(wait_until="load", timeout=20_000):
        action()
    return frame


def vitals(frame: Frame) -> dict:
    frame.wait_for_timeout(300)  # let the observers deliver buffered entries
    return frame.evaluate("() => window.__vitals")


def report_vitals(name: str, frame: Frame, *, interacted: bool = False) -> dict:
    measured = vitals(frame)
    line = {
        "page": name,
        "lcp_ms": round(measured["lcp"] or 0),
        "cls": round(measured["cls"], 4),
        "inp_ms": measured["inp"],
    }
    print(f"WEB-VITALS {json.dumps(line)}")
    assert measured["lcp"] is not None and measured["lcp"] <= LCP_BUDGET_MS, line
    assert measured["cls"] <= CLS_BUDGET, (line, measured.get("shifts"))
    if interacted and measured["inp"] is not None:
        assert measured["inp"] <= INP_BUDGET_MS, line
    return line


def no_horizontal_scroll(frame: Frame) -> None:
    widths = frame.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert widths[0] <= widths[1], f"horizontal scroll: content {widths[0]}px in {widths[1]}px"


# Every visible control's centre, and what the page has there: a control covered by something else
# (a fixed banner, an overlay) cannot be clicked or tapped.
COVERED_SCRIPT = """
() => {
  const covered = [];
  for (const el of document.querySelectorAll("button, a.Button, input[type=submit], summary")) {
    const style = getComputedStyle(el);
    if (style.visibility === "hidden" || el.getClientRects().length === 0) continue;
    if (!el.checkVisibility({visibilityProperty: true})) continue; // e.g. inside a closed <details>
    // "nearest": where a scroll brings the control into view, at the edge, where fixed bars sit.
    el.scrollIntoView({block: "nearest", inline: "nearest", behavior: "instant"});
    const box = el.getBoundingClientRect();
    const hit = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
    if (!hit || !(hit === el || el.contains(hit))) {
      covered.push({control: (el.textContent || el.value || "").trim().slice(0, 40),
                    covered_by: hit ? hit.outerHTML.slice(0, 120) : "nothing"});
    }
  }
  window.scrollTo(0, 0);
  return covered;
}
"""


def no_control_covered(frame: Frame) -> None:
    """``document.elementFromPoint`` at each visible control's centre is the control or inside it."""
    covered = frame.evaluate(COVERED_SCRIPT)
    assert covered == [], f"covered controls: {covered}"


def screenshot(page: Page, name: str, *, docs: bool = False) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)
    if docs and os.environ.get("UPDATE_DOCS_SCREENSHOTS") == "1":  # the README's pictures, on demand
        DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        (DOCS_SCREENSHOTS / f"{name}.png").write_bytes(path.read_bytes())
    return path


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


def wait_until(condition, *, timeout: float = 30.0, what: str) -> None:
    from tests.support.processes import wait_for

    wait_for(condition, timeout=timeout, what=what, interval=0.2)
