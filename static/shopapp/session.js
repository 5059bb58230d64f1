// Session tokens for the embedded pages (shopapp/session_tokens.py checks them on every request).
//
// A fresh App Bridge id token is fetched for every navigation, form submit and fetch (a token lives
// one minute; a stale one would be refused): from App Bridge (`shopify.idToken()`), or, when its CDN
// script did not load (tests, the offline demo), from the Shopify simulator's stand-in admin, which
// answers `postMessage({type: "shopify-simulator:id-token"})` with `{type, idToken}`.
// - same-origin links get `id_token` in their query; forms a hidden `id_token` field;
// - same-origin fetches get `Authorization: Bearer <token>`;
// - the bounce page (`data-shopify-reload`) reloads its page with a token when App Bridge is absent
//   (App Bridge does that itself when present).
(function () {
  "use strict";

  const MESSAGE = "shopify-simulator:id-token";
  const WAIT_MS = 5000;

  const appBridge = () => (window.shopify && typeof window.shopify.idToken === "function" ? window.shopify : null);

  function tokenFromSimulatorAdmin() {
    return new Promise((resolve, reject) => {
      if (window.parent === window) {
        reject(new Error("not framed by an admin"));
        return;
      }
      const timer = window.setTimeout(() => {
        window.removeEventListener("message", onMessage);
        reject(new Error("no id token from the admin"));
      }, WAIT_MS);
      function onMessage(event) {
        const data = event.data;
        if (event.source !== window.parent || !data || data.type !== MESSAGE || !data.idToken) return;
        window.clearTimeout(timer);
        window.removeEventListener("message", onMessage);
        resolve(data.idToken);
      }
      window.addEventListener("message", onMessage);
      window.parent.postMessage({ type: MESSAGE }, "*");
    });
  }

  function idToken() {
    const bridge = appBridge();
    return bridge ? bridge.idToken() : tokenFromSimulatorAdmin();
  }

  const sameOrigin = (url) => url.origin === window.location.origin;

  function showMissing() {
    const notice = document.getElementById("app-bridge-missing");
    if (notice) notice.hidden = false;
  }

  // --- fetch: Authorization: Bearer --------------------------------------------------------------
  const plainFetch = window.fetch.bind(window);
  window.fetch = async function (input, init) {
    const url = new URL(input instanceof Request ? input.url : String(input), window.location.href);
    if (!sameOrigin(url)) return plainFetch(input, init);
    const options = Object.assign({}, init || {});
    const headers = new Headers(options.headers || (input instanceof Request ? input.headers : undefined));
    headers.set("Authorization", "Bearer " + (await idToken()));
    options.headers = headers;
    return plainFetch(input, options);
  };

  // --- links: ?id_token= ----------------------------------------------------------------------
  document.addEventListener("click", async (event) => {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
    const link = event.target instanceof Element ? event.target.closest("a[href]") : null;
    if (!link || link.hasAttribute("download") || (link.target && link.target !== "_self")) return;
    const url = new URL(link.href, window.location.href);
    if (!sameOrigin(url) || (url.pathname === window.location.pathname && url.hash)) return;
    event.preventDefault();
    try {
      url.searchParams.set("id_token", await idToken());
    } catch (error) {
      showMissing();
    }
    window.location.assign(url.toString());
  });

  // --- forms: a hidden id_token field -----------------------------------------------------------
  document.addEventListener("submit", async (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || event.defaultPrevented) return;
    if (!sameOrigin(new URL(form.action || window.location.href, window.location.href))) return;
    if (form.dataset.idTokenAdded === "1") {
      delete form.dataset.idTokenAdded; // our own resubmission, token in place: let it go
      return;
    }
    event.preventDefault();
    let field = form.querySelector('input[name="id_token"]');
    if (!field) {
      field = document.createElement("input");
      field.type = "hidden";
      field.name = "id_token";
      form.appendChild(field);
    }
    try {
      field.value = await idToken();
    } catch (error) {
      showMissing();
    }
    form.dataset.idTokenAdded = "1";
    // requestSubmit keeps the clicked button's name/value (submit() would drop it).
    if (typeof form.requestSubmit === "function") form.requestSubmit(event.submitter || undefined);
    else HTMLFormElement.prototype.submit.call(form);
  });

  // --- App Bridge missing, and the bounce page without it ---------------------------------------
  window.addEventListener("DOMContentLoaded", async () => {
    const reload = document.body && document.body.dataset.shopifyReload;
    if (!appBridge()) {
      if (reload) {
        try {
          const url = new URL(reload, window.location.href);
          if (!sameOrigin(url)) return;
          url.searchParams.set("id_token", await tokenFromSimulatorAdmin());
          window.location.replace(url.toString());
        } catch (error) {
          showMissing();
        }
        return;
      }
      // Framed by the simulated admin (tests, the demo): it hands out tokens itself, nothing is missing.
      tokenFromSimulatorAdmin().catch(showMissing);
    }
  });

  document.addEventListener("click", (event) => {
    const close = event.target instanceof Element ? event.target.closest("[data-close-notice]") : null;
    if (close) close.parentElement.hidden = true;
  });

  window.appSession = { idToken: idToken };
})();
