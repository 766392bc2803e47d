/* Teach the bot (issue 13): the console's review panel for the bot's intent guesses.
 *
 * A button in the corner opens a list of customer messages the bot could not place and messages of
 * conversations a person handled, each with the bot's guess. One click confirms the guess (「对」) or,
 * in the picker, chooses the right intent; the label becomes a learned example every worker uses at
 * once. Kept apart from console.js: it only needs the session cookie and the CSRF token console.js
 * keeps in sessionStorage. Every text shown comes from scripts_zh via /api/intents/labels.
 */
(function () {
  "use strict";

  const CSRF_KEY = "csbot.console.csrf";
  const STYLE = `
    .teach-open { position: fixed; right: 16px; bottom: 16px; z-index: 40; }
    .teach-dialog { width: min(720px, 96vw); max-height: 86vh; }
    .teach-list { list-style: none; margin: 8px 0; padding: 0; max-height: 60vh; overflow: auto; }
    .teach-item { border-bottom: 1px solid var(--line, #e3e6ea); padding: 10px 2px; }
    .teach-text { margin: 0 0 6px; word-break: break-all; }
    .teach-meta { color: var(--muted, #8a9099); font-size: 12px; margin-right: 8px; }
    .teach-row { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; }
    .teach-tag { font-size: 12px; border-radius: 4px; padding: 0 6px; background: var(--brand-soft, #fff1e8); }
    .teach-status { color: var(--online, #1fb955); font-size: 12px; }
    .teach-status[data-error] { color: var(--danger, #e5372b); }
  `;

  let labels = null; // {intents: [{name, label}], texts: {...}}
  let dialog = null;

  function el(tag, attrs, text) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) node.setAttribute(key, value);
    if (text !== undefined) node.textContent = text;
    return node;
  }

  async function call(method, path, body) {
    const headers = { Accept: "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const csrf = window.sessionStorage.getItem(CSRF_KEY);
    if (method !== "GET" && csrf) headers["X-CSRF-Token"] = csrf;
    const response = await fetch(path, {
      method, headers, credentials: "same-origin", cache: "no-store",
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const data = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(data.error || String(response.status));
    return data;
  }

  function labelOf(name) {
    const found = labels.intents.find((intent) => intent.name === name);
    return found ? found.label : name;
  }

  function renderItem(item) {
    const texts = labels.texts;
    const li = el("li", { class: "teach-item", "data-message-id": String(item.message_id) });
    li.append(el("p", { class: "teach-text" }, item.text));
    const row = el("div", { class: "teach-row" });
    row.append(el("span", { class: "teach-meta" },
      `${texts.guess}：${labelOf(item.guess)}（${Math.round(item.confidence * 100)}%）`));
    row.append(el("span", { class: "teach-tag" }, item.asked ? texts.asked : texts.handled));
    const confirm = el("button", { type: "button", class: "btn btn-primary btn-small teach-confirm" }, texts.confirm);
    const picker = el("select", { class: "teach-pick", "aria-label": texts.correct });
    picker.append(el("option", { value: "" }, texts.correct));
    for (const intent of labels.intents) picker.append(el("option", { value: intent.name }, intent.label));
    const status = el("span", { class: "teach-status", role: "status" });
    row.append(confirm, picker, status);
    li.append(row);

    async function teach(intent) {
      confirm.disabled = picker.disabled = true;
      status.removeAttribute("data-error");
      try {
        await call("POST", "/api/intents/teach", { message_id: item.message_id, intent });
        status.textContent = `${texts.saved}：${labelOf(intent)}`;
        li.dataset.taught = intent;
      } catch (_) {
        status.textContent = texts.error;
        status.setAttribute("data-error", "");
        confirm.disabled = picker.disabled = false;
      }
    }
    confirm.addEventListener("click", () => teach(item.guess));
    picker.addEventListener("change", () => { if (picker.value) teach(picker.value); });
    return li;
  }

  async function open() {
    if (!labels) labels = await call("GET", "/api/intents/labels");
    const texts = labels.texts;
    if (!dialog) {
      dialog = el("dialog", { class: "dialog teach-dialog", id: "teach-dialog", "aria-labelledby": "teach-title" });
      const body = el("div", { class: "dialog-body" });
      body.append(el("h2", { class: "dialog-title", id: "teach-title" }, texts.title));
      body.append(el("p", { class: "teach-meta" }, texts.hint));
      body.append(el("ul", { class: "teach-list", id: "teach-list" }));
      body.append(el("p", { class: "empty", id: "teach-empty", hidden: "" }, texts.empty));
      const actions = el("div", { class: "dialog-actions" });
      const close = el("button", { type: "button", class: "btn", id: "teach-close" }, texts.close);
      close.addEventListener("click", () => dialog.close());
      actions.append(close);
      body.append(actions);
      dialog.append(body);
      document.body.append(dialog);
    }
    const { items } = await call("GET", "/api/intents/review");
    const list = dialog.querySelector("#teach-list");
    list.replaceChildren(...items.map(renderItem));
    dialog.querySelector("#teach-empty").hidden = items.length > 0;
    if (!dialog.open) dialog.showModal();
  }

  function start() {
    const view = document.getElementById("console-view");
    if (!view) return;
    const style = el("style");
    style.textContent = STYLE;
    document.head.append(style);
    const button = el("button", { type: "button", class: "btn btn-small teach-open", id: "teach-open", hidden: "" });
    button.addEventListener("click", () => open().catch(() => {}));
    document.body.append(button);
    const follow = async () => {
      if (!view.hidden && !labels) {
        try {
          labels = await call("GET", "/api/intents/labels");
        } catch (_) {
          labels = null; // not logged in yet: the next change of the view tries again
        }
      }
      if (labels) button.textContent = labels.texts.open;
      button.hidden = view.hidden || !labels;
    };
    new MutationObserver(follow).observe(view, { attributes: true, attributeFilter: ["hidden"] });
    follow();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
