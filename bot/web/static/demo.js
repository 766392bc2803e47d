// The `/demo` page: keep the demo customer's visitor token (signed by the server, in a meta tag) as
// this browser's web-chat visitor, then open the chat window. The storage key is visitor.js's.
"use strict";

(() => {
  const meta = document.querySelector('meta[name="csbot-demo-token"]');
  try {
    window.localStorage.setItem("csbot.webchat.token", meta.getAttribute("content"));
  } catch (_) {
    // storage disabled: the chat opens as a fresh visitor
  }
  window.location.replace("/");
})();
