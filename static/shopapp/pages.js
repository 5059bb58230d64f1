// The few behaviours the server-rendered pages need in the browser: a toast for short successes,
// the contextual save bar on the settings form, the push's progress with an ETA that updates, and a
// BackerKit fetch's progress (the page reloads when the fetch is over, to show what came in).
// Each works with App Bridge (window.shopify) and without it (the CDN unreachable: plain HTML).
(function () {
  "use strict";

  const appBridge = () => (window.shopify && typeof window.shopify === "object" ? window.shopify : null);

  // --- Toast: short successes only; errors are inline, next to what they are about. -------------
  function toast(message) {
    if (!message) return;
    const bridge = appBridge();
    if (bridge && bridge.toast) {
      bridge.toast.show(message, { duration: 4000 });
      return;
    }
    const box = document.getElementById("toast");
    if (!box) return;
    box.textContent = message;
    box.hidden = false;
    window.setTimeout(() => { box.hidden = true; }, 4000);
  }

  // --- Contextual save bar --------------------------------------------------------------------
  // The bar shows while the form differs from what is saved. After a refused save the page comes
  // back with the refused values in the form (data-unsaved): nothing was saved, so the bar stays,
  // and Discard goes back to the saved settings. Leaving with unsaved changes asks first.
  function setUpSaveBar(form) {
    const barId = form.dataset.saveBarId;
    const fallback = document.getElementById(form.dataset.fallbackBar);
    const snapshot = (data) => JSON.stringify([...data.entries()].sort());
    const start = snapshot(new FormData(form));
    const refused = form.dataset.unsaved === "1";
    let shown = false;
    let leaving = false;

    function warnBeforeLeaving(event) {
      if (!shown || leaving) return;
      event.preventDefault();
      event.returnValue = "";
    }
    window.addEventListener("beforeunload", warnBeforeLeaving);

    function show(dirty) {
      if (dirty === shown) return;
      shown = dirty;
      const bridge = appBridge();
      if (bridge && bridge.saveBar && customElements.get("ui-save-bar")) {
        dirty ? bridge.saveBar.show(barId) : bridge.saveBar.hide(barId);
      } else if (fallback) {
        fallback.hidden = !dirty;
      }
    }
    const check = () => show(refused || snapshot(new FormData(form)) !== start);
    form.addEventListener("input", check);
    form.addEventListener("change", check);
    form.addEventListener("submit", () => { leaving = true; });

    const save = () => { leaving = true; form.requestSubmit(); };
    async function discard() {
      if (!refused) { form.reset(); show(false); return; }
      leaving = true;
      const target = new URL(form.dataset.discardUrl, window.location.href);
      try { target.searchParams.set("id_token", await window.appSession.idToken()); } catch (error) { /* bounce page */ }
      window.location.assign(target.toString());
    }
    document.querySelectorAll("[data-save-bar-save]").forEach((b) => b.addEventListener("click", save));
    document.querySelectorAll("[data-save-bar-discard]").forEach((b) => b.addEventListener("click", discard));
    if (refused) show(true);
  }

  // --- Push progress ---------------------------------------------------------------------------
  function setUpProgress(box) {
    const url = box.dataset.progressUrl;
    const bar = box.querySelector("[data-progress-fill]");
    const text = (name) => box.querySelector(`[data-progress-${name}]`);
    let failures = 0;

    async function authorizedFetch(target) {
      const headers = { Accept: "application/json" };
      const bridge = appBridge();
      if (bridge && bridge.idToken) {
        headers.Authorization = `Bearer ${await bridge.idToken()}`;
      } else if (window.appSession && window.appSession.idToken) {
        headers.Authorization = `Bearer ${await window.appSession.idToken()}`;
      }
      return window.fetch(target, { headers, credentials: "same-origin" });
    }

    async function tick() {
      try {
        const answer = await authorizedFetch(url);
        if (!answer.ok) throw new Error(String(answer.status));
        const data = await answer.json();
        failures = 0;
        bar.style.width = `${data.percent}%`;
        box.querySelector("[role=progressbar]").setAttribute("aria-valuenow", String(data.percent));
        text("finished").textContent = data.finished.toLocaleString();
        text("total").textContent = data.total.toLocaleString();
        text("eta").textContent = data.eta_text;
        text("rate").textContent = data.per_minute ? `${data.per_minute.toLocaleString()} orders a minute` : "";
        if (!data.running) {
          text("eta").textContent = "Push finished";
          box.dataset.finished = "1";
          return; // the list below refreshes on the next visit; no surprise reload mid-read
        }
      } catch (error) {
        failures += 1;
        if (failures > 5) return;
      }
      window.setTimeout(tick, 3000);
    }
    window.setTimeout(tick, 1500);
  }

  // --- BackerKit fetch progress ------------------------------------------------------------------
  function setUpPullProgress(box) {
    const url = box.dataset.pullUrl;
    let failures = 0;

    async function reload() {
      // The page's own id token is a minute old at most once: take a fresh one (session.js).
      const target = new URL(window.location.href);
      try {
        target.searchParams.set("id_token", await window.appSession.idToken());
      } catch (error) {
        return; // no token to be had: leave the page as it is rather than land on an error
      }
      window.location.replace(target.toString());
    }

    async function tick() {
      try {
        const answer = await window.fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
        if (!answer.ok) throw new Error(String(answer.status));
        const data = await answer.json();
        failures = 0;
        for (const pull of data.pulls) {
          document.querySelectorAll(`[data-pull-text="${pull.connection_id}"]`).forEach((node) => {
            node.textContent = pull.text;
          });
        }
        if (!data.active) {
          reload();
          return;
        }
      } catch (error) {
        failures += 1;
        if (failures > 5) return;
      }
      window.setTimeout(tick, 2000);
    }
    window.setTimeout(tick, 1000);
  }

  // --- Busy state: a form that starts work says so at once and is not sent twice. --------------
  function setUpBusy(form) {
    form.addEventListener("submit", (event) => {
      const button = form.querySelector("button[type=submit]");
      if (form.dataset.busyNow === "1" && form.dataset.idTokenAdded !== "1") {
        event.preventDefault(); // a second press while the first is on its way
        return;
      }
      form.dataset.busyNow = "1";
      if (button) {
        button.setAttribute("aria-busy", "true");
        button.classList.add("Button--busy");
        button.textContent = form.dataset.busy;
      }
    });
  }

  // --- Optional scopes: App Bridge's Scopes API opens Shopify's grant modal; the page reloads to
  // show the answer (app/scopes_update tells the server). Without App Bridge: say how instead.
  function setUpScopeRequest(button) {
    const status = button.parentElement.querySelector("[data-request-scopes-status]");
    const say = (text) => { if (status) { status.textContent = text; status.hidden = false; } };
    button.addEventListener("click", async () => {
      const bridge = appBridge();
      if (!bridge || !bridge.scopes || !bridge.scopes.request) {
        say("Open the app in Shopify admin to grant this access.");
        return;
      }
      button.disabled = true;
      try {
        const answer = await bridge.scopes.request(button.dataset.requestScopes.split(","));
        if (answer && answer.result === "granted-all") window.location.reload();
        else say("Not granted. You can ask again at any time.");
      } catch (error) {
        say("Shopify could not ask for this access now. Try again in a moment.");
      } finally {
        button.disabled = false;
      }
    });
  }

  function ready() {
    const box = document.getElementById("toast");
    if (box && box.dataset.notice) toast(box.dataset.notice);
    document.querySelectorAll("form[data-save-bar-id]").forEach(setUpSaveBar);
    document.querySelectorAll("[data-progress-url]").forEach(setUpProgress);
    document.querySelectorAll("form[data-busy]").forEach(setUpBusy);
    document.querySelectorAll("[data-pull-url]").forEach(setUpPullProgress);
    document.querySelectorAll("[data-request-scopes]").forEach(setUpScopeRequest);
    document.querySelectorAll("[data-confirm]").forEach((form) =>
      form.addEventListener("submit", (event) => {
        if (!window.confirm(form.dataset.confirm)) event.preventDefault();
      }),
    );
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", ready);
  else ready();
})();
