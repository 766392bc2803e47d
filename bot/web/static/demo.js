// The `/demo` page: keep the demo customer's visitor id (given by the server in a meta tag) as this
// browser's web-chat visitor, then open the chat window. The storage key is visitor.js's.
"use strict";

(() => {
  const meta = document.querySelector('meta[name="csbot-demo-visitor"]');
  try {
    window.localStorage.setItem("csbot.webchat.visitor", meta.getAttribute("content"));
  } catch (_) {
    // storage disabled: the chat opens as a fresh visitor
  }
  window.location.replace("/");
})();
