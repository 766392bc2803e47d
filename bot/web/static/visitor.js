// The web-chat visitor's identity, shared by every page that speaks for the same visitor (the chat
// window, a referral landing page). The server names the visitor and signs the name
// (POST /api/webchat/visitor, docs/webchat.md); the page keeps the token in localStorage and sends
// it with every request (X-Visitor-Token header; token query parameter on the WebSocket).
// A shop's own site may open the chat with ?customer_id=…&customer_sig=… (its logged-in customer,
// signed by the shop): that is exchanged for the customer's token and removed from the address bar.
// Exposes window.csbotVisitor = { token(), visitorId(token), forget(), randomId(), HEADER }.
"use strict";

(() => {
  const TOKEN_KEY = "csbot.webchat.token";
  const TOKEN_PATTERN = /^[A-Za-z0-9_-]{1,64}\.[A-Za-z0-9_-]{32}$/;
  const HEADER = "X-Visitor-Token";
  let memory = null; // when storage is disabled (private mode) the token lives as long as the page
  let pending = null;

  function randomId() {
    const { crypto } = window;
    if (crypto && typeof crypto.randomUUID === "function") {
      // randomUUID exists only in secure contexts (https, localhost); a plain-http shop falls through
      return crypto.randomUUID().replace(/[^A-Za-z0-9-]/g, "");
    }
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  function stored() {
    let value = memory;
    try {
      value = window.localStorage.getItem(TOKEN_KEY) || memory;
    } catch (_) {
      // storage disabled
    }
    return value && TOKEN_PATTERN.test(value) ? value : null;
  }

  function keep(token) {
    memory = token;
    try {
      window.localStorage.setItem(TOKEN_KEY, token);
    } catch (_) {
      // storage disabled
    }
  }

  function vouchedCustomer() {
    const params = new URLSearchParams(window.location.search);
    const customerId = params.get("customer_id");
    const customerSig = params.get("customer_sig");
    if (!customerId || !customerSig) return null;
    params.delete("customer_id");
    params.delete("customer_sig");
    const rest = params.toString();
    window.history.replaceState(null, "", window.location.pathname + (rest ? `?${rest}` : "") + window.location.hash);
    return { customer_id: customerId, customer_sig: customerSig };
  }

  async function issue(body) {
    const response = await fetch("/api/webchat/visitor", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
      credentials: "same-origin",
      cache: "no-store",
    });
    if (!response.ok) throw new Error(`visitor token refused: ${response.status}`);
    const data = await response.json();
    if (!data || typeof data.token !== "string" || !TOKEN_PATTERN.test(data.token)) {
      throw new Error("visitor token malformed");
    }
    keep(data.token);
    return data.token;
  }

  // The token, asked for once per page (concurrent callers share the request); a failed request is
  // asked for again by the next caller.
  function token() {
    if (!pending) {
      const customer = vouchedCustomer();
      const known = stored();
      pending = customer ? issue(customer) : known ? Promise.resolve(known) : issue({});
      pending.catch(() => {
        pending = null;
      });
    }
    return pending;
  }

  // The server no longer accepts the kept token (its secret changed): the next call gets a new one.
  function forget() {
    memory = null;
    pending = null;
    try {
      window.localStorage.removeItem(TOKEN_KEY);
    } catch (_) {
      // storage disabled
    }
  }

  function visitorId(value) {
    return value.split(".")[0];
  }

  window.csbotVisitor = { token, visitorId, forget, randomId, HEADER };
})();
