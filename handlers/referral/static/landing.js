// The landing page's "在线咨询" button: record this visitor's first visit through the card, then open
// the shop's chat window as the same visitor (the chat page keeps its visitor id in localStorage under
// the same key), so the referral is confirmed at the friend's first contact.
"use strict";

(() => {
  const VISITOR_KEY = "csbot.webchat.visitor"; // shared with bot/web/static/chat.js
  const ID_PATTERN = /^[A-Za-z0-9-]{1,64}$/;

  function randomId() {
    const bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  function visitorId() {
    let id = null;
    try {
      id = window.localStorage.getItem(VISITOR_KEY);
    } catch (_) {
      // storage disabled: the chat page will make its own id, and the visit is not attributed
    }
    if (id && ID_PATTERN.test(id)) return id;
    id = randomId();
    try {
      window.localStorage.setItem(VISITOR_KEY, id);
    } catch (_) {
      // see above
    }
    return id;
  }

  const button = document.getElementById("chat");
  if (!button) return;
  button.addEventListener("click", async () => {
    button.disabled = true;
    const code = button.dataset.code;
    let target = "/";
    try {
      const response = await fetch(`/r/${encodeURIComponent(code)}/visit`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ user_id: visitorId() }),
      });
      if (response.ok) target = (await response.json()).chat_url || target;
    } catch (_) {
      // the chat still opens; the visit is simply not attributed
    }
    window.location.assign(target);
  });
})();
