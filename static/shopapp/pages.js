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
  function setUpSaveBar(form) {
    const barId = form.dataset.saveBarId;
    const fallback = document.getElementById(form.dataset.fallbackBar);
    const initial = new FormData(form);
    const snapshot = (data) => JSON.stringify([...data.entries()].sort());
    const start = snapshot(initial);
    let shown = false;

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
    const check = () => show(snapshot(new FormData(form)) !== start);
    form.addEventListener("input", check);
    form.addEventListener("change", check);

    const save = () => { show(false); form.requestSubmit(); };
    const discard = () => { form.reset(); show(false); };
    document.querySelectorAll("[data-save-bar-save]").forEach((b) => b.addEventListener("click", save));
    document.querySelectorAll("[data-save-bar-discard]").forEach((b) => b.addEventListener("click", discard));
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

  function ready() {
    const box = document.getElementById("toast");
    if (box && box.dataset.notice) toast(box.dataset.notice);
    document.querySelectorAll("form[data-save-bar-id]").forEach(setUpSaveBar);
    document.querySelectorAll("[data-progress-url]").forEach(setUpProgress);
    document.querySelectorAll("[data-pull-url]").forEach(setUpPullProgress);
    document.querySelectorAll("[data-confirm]").forEach((form) =>
      form.addEventListener("submit", (event) => {
        if (!window.confirm(form.dataset.confirm)) event.preventDefault();
      }),
    );
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", ready);
  else ready();
})();
