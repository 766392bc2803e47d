// The web-chat visitor's id, shared by every page that speaks for the same visitor (the chat window,
// a referral landing page): generated once, kept in localStorage, only letters, digits and "-".
// Exposes window.csbotVisitor = { id(), randomId() }.
"use strict";

(() => {
  const VISITOR_KEY = "csbot.webchat.visitor";
  const ID_PATTERN = /^[A-Za-z0-9-]{1,64}$/;

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

  function id() {
    let stored = null;
    try {
      stored = window.localStorage.getItem(VISITOR_KEY);
    } catch (_) {
      // storage disabled (private mode): the id lives as long as the page
    }
    if (stored && ID_PATTERN.test(stored)) return stored;
    const fresh = randomId();
    try {
      window.localStorage.setItem(VISITOR_KEY, fresh);
    } catch (_) {
      // see above
    }
    return fresh;
  }

  window.csbotVisitor = { id, randomId };
})();
