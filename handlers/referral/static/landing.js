// The landing page's "在线咨询" button: record this visitor's first visit through the card, then open
// the shop's chat window as the same visitor (both pages keep the server-issued visitor token in
// localStorage through /static/visitor.js), so the referral is confirmed at the friend's first contact.
"use strict";

(() => {
  const button = document.getElementById("chat");
  if (!button) return;
  button.addEventListener("click", async () => {
    button.disabled = true;
    const code = button.dataset.code;
    const visitor = window.csbotVisitor;
    let target = "/";
    try {
      const token = await visitor.token();
      const response = await fetch(`/r/${encodeURIComponent(code)}/visit`, {
        method: "POST",
        headers: { "Content-Type": "application/json", [visitor.HEADER]: token },
        body: "{}",
      });
      if (response.ok) target = (await response.json()).chat_url || target;
    } catch (_) {
      // the chat still opens; the visit is simply not attributed
    }
    window.location.assign(target);
  });
})();
