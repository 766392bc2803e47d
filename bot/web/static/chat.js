// The shop chat window's behaviour: the server-issued visitor token (bot/web/static/visitor.js) sent
// with every request, one POST per message (retried with the same client_msg_id, which the server
// de-duplicates: once after a dropped connection or a proxy error, and while the server answers 503
// "busy" after the Retry-After it names), replies shown one by one, and a WebSocket for messages sent
// later (an agent's reply, a follow-up), reconnected with backoff (lib/live.js, shared with the console).
// The history is read through the shared JSON client (lib/api.js); a message's POST keeps its own
// fetch, since its retries (same client_msg_id, Retry-After) are this page's alone.
// An answer may end with choices ({reply, label}: bot/events.py Choice, labels from scripts_zh via the
// server's JSON): buttons under its last bubble; a click sends the choice's reply exactly as typing it
// would, and the group is then done (its buttons disabled).
// Customer and server text is only ever put on the page with textContent.
import { createApi } from "./lib/api.js";
import { live } from "./lib/live.js";
import { fill } from "./lib/rich.js";
import { t } from "./lib/texts.js";

const API = "/api/webchat/messages";
const MAX_CHARS = 2000; // the server answers 413 above this
const STAGGER_MS = 450; // pause between the parts of one answer
const RETRY_DELAY_MS = 800;
const REQUEST_TIMEOUT_MS = 20000;
const TRANSIENT_STATUS = new Set([502, 503, 504]); // a proxy's "try again": retried like a dropped connection
const BUSY_RETRIES = 6; // 503 with Retry-After: the server is saturated and says when to come back
const BUSY_WAIT_MAX_MS = 30000;

const $ = (id) => document.getElementById(id);
const el = {
  messages: $("messages"),
  typing: $("typing"),
  form: $("composer"),
  input: $("input"),
  send: $("send"),
  chips: $("chips"),
  status: $("status"),
  statusText: $("status-text"),
  shopTemplate: $("tpl-shop"),
  customerTemplate: $("tpl-customer"),
};

// --- identity (bot/web/static/visitor.js) ---

const visitor = window.csbotVisitor;
const { randomId } = visitor;

// --- rendering ---

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const pad = (n) => String(n).padStart(2, "0");

function stamp(timeElement, date) {
  timeElement.dateTime = date.toISOString();
  timeElement.textContent = `${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

function nearBottom() {
  const box = el.messages;
  return box.scrollHeight - box.scrollTop - box.clientHeight < 80;
}

function scrollToBottom() {
  el.messages.scrollTop = el.messages.scrollHeight;
}

function append(node, force = false) {
  const stick = force || nearBottom();
  el.messages.appendChild(node);
  if (stick) scrollToBottom();
  return node;
}

// Bubbles are built apart from where they go: new ones are appended, restored ones inserted above.
function shopRow(text, at = new Date()) {
  const row = el.shopTemplate.content.firstElementChild.cloneNode(true);
  fill(row.querySelector(".bubble"), text);
  stamp(row.querySelector(".msg-time"), at);
  return row;
}

function customerRow(text, at = new Date()) {
  const row = el.customerTemplate.content.firstElementChild.cloneNode(true);
  fill(row.querySelector(".bubble"), text);
  stamp(row.querySelector(".msg-time"), at);
  return row;
}

function addShopBubble(text) {
  return append(shopRow(text));
}

function addCustomerBubble(text) {
  return append(customerRow(text), true);
}

function addSystemLine(text, kind = "") {
  const line = document.createElement("p");
  line.className = kind ? `system-line ${kind}` : "system-line";
  line.setAttribute("role", kind === "error" ? "alert" : "status");
  line.textContent = text;
  return append(line, true);
}

// The indicator stays up while any message waits for its answer or an answer is still being shown.
let busy = 0;

function typingStart() {
  busy += 1;
  const stick = nearBottom();
  el.typing.hidden = false;
  if (stick) scrollToBottom();
}

function typingEnd() {
  busy = Math.max(0, busy - 1);
  if (busy === 0) el.typing.hidden = true;
}

// The choices the server sent that can be buttons: a non-empty reply, the label shown (or the reply).
function validChoices(choices) {
  if (!Array.isArray(choices)) return [];
  return choices
    .filter((choice) => choice && typeof choice.reply === "string" && choice.reply.trim() !== "")
    .map((choice) => ({
      reply: choice.reply,
      label: typeof choice.label === "string" && choice.label.trim() !== "" ? choice.label : choice.reply,
    }));
}

function addPicks(row, choices) {
  const group = document.createElement("div");
  group.className = "picks";
  group.setAttribute("role", "group");
  group.setAttribute("aria-label", t("picks_label"));
  for (const choice of choices) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "pick";
    button.textContent = choice.label;
    button.addEventListener("click", () => {
      if (group.dataset.done) return;
      group.dataset.done = "1";
      button.setAttribute("aria-pressed", "true");
      for (const other of group.querySelectorAll(".pick")) other.disabled = true;
      send(choice.reply);
    });
    group.appendChild(button);
  }
  const stick = nearBottom();
  row.querySelector(".msg-body").appendChild(group);
  if (stick) scrollToBottom();
}

// Shop messages (answers and pushes) go through one queue so that they appear in arrival order.
let shown = Promise.resolve();

function showShop(texts, choices = []) {
  const picks = validChoices(choices);
  shown = shown.catch(() => {}).then(async () => {
    for (let i = 0; i < texts.length; i += 1) {
      if (i > 0) await sleep(STAGGER_MS);
      const row = addShopBubble(texts[i]);
      if (i === texts.length - 1 && picks.length > 0) addPicks(row, picks);
    }
  });
  return shown;
}

// --- sending ---

class SendError extends Error {}

async function fetchWithTimeout(url, options) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), REQUEST_TIMEOUT_MS);
  try {
    return await fetch(url, { ...options, signal: controller.signal });
  } finally {
    clearTimeout(timer);
  }
}

// How long a 503 asks us to wait (Retry-After in seconds), or null when it does not say.
function retryAfterMs(response) {
  const seconds = Number.parseFloat(response.headers.get("Retry-After") || "");
  if (response.status !== 503 || !Number.isFinite(seconds) || seconds < 0) return null;
  return Math.min(BUSY_WAIT_MAX_MS, Math.max(100, seconds * 1000));
}

async function post(message) {
  const body = JSON.stringify({ text: message.text, client_msg_id: message.id });
  let dropped = 0;
  let busy = 0;
  let refused = 0;
  for (;;) {
    let response;
    try {
      const token = await visitor.token();
      response = await fetchWithTimeout(API, {
        method: "POST",
        headers: { "Content-Type": "application/json", [visitor.HEADER]: token },
        body,
        credentials: "same-origin",
        cache: "no-store",
      });
    } catch (_) {
      dropped += 1;
      if (dropped === 1) {
        await sleep(RETRY_DELAY_MS);
        continue; // same client_msg_id: if the first one did arrive, the server answers it again
      }
      throw new SendError(navigator.onLine === false ? t("offline") : t("failed"));
    }
    const wait = retryAfterMs(response);
    if (wait !== null && busy < BUSY_RETRIES) {
      busy += 1;
      await sleep(wait);
      continue;
    }
    if (TRANSIENT_STATUS.has(response.status) && dropped === 0 && wait === null) {
      dropped += 1;
      await sleep(RETRY_DELAY_MS);
      continue;
    }
    if ((response.status === 401 || response.status === 403) && refused === 0) {
      refused += 1; // the kept token is no longer valid (the server's secret changed): get a new one
      visitor.forget();
      continue;
    }
    if (!response.ok) throw new SendError(response.status === 413 ? t("too_long", { max: MAX_CHARS }) : t("failed"));
    let data;
    try {
      data = await response.json();
    } catch (_) {
      throw new SendError(t("failed"));
    }
    const replies = data && Array.isArray(data.replies) ? data.replies : [];
    return {
      replies: replies.filter((text) => typeof text === "string" && text.length > 0),
      choices: data ? data.choices : [],
    };
  }
}

async function deliver(message, row) {
  const resend = row.querySelector(".resend");
  row.classList.remove("failed");
  row.classList.add("pending");
  resend.hidden = true;
  typingStart();
  try {
    const answer = await post(message);
    row.classList.remove("pending");
    await showShop(answer.replies, answer.choices);
  } catch (error) {
    row.classList.remove("pending");
    row.classList.add("failed");
    resend.hidden = false;
    addSystemLine(error instanceof SendError ? error.message : t("failed"), "error");
  } finally {
    typingEnd();
  }
}

function send(raw) {
  const text = raw.replace(/\r\n?/g, "\n").trim();
  if (!text) return;
  if (text.length > MAX_CHARS) {
    addSystemLine(t("too_long", { max: MAX_CHARS }), "error");
    return;
  }
  const message = { id: randomId(), text };
  const row = addCustomerBubble(text);
  row.querySelector(".resend").addEventListener("click", () => {
    if (!row.classList.contains("pending")) deliver(message, row);
  });
  deliver(message, row);
}

// --- composer ---

function autosize() {
  el.input.style.height = "auto";
  el.input.style.height = `${Math.min(el.input.scrollHeight + 2, 120)}px`;
}

function refreshSendButton() {
  el.send.disabled = el.input.value.trim() === "";
}

function submitInput() {
  const text = el.input.value;
  if (!text.trim()) return;
  el.input.value = "";
  autosize();
  refreshSendButton();
  send(text);
  el.input.focus();
}

el.input.addEventListener("keydown", (event) => {
  if (event.key !== "Enter" || event.shiftKey) return;
  if (event.isComposing || event.keyCode === 229) return; // Enter that picks a pinyin candidate
  event.preventDefault();
  submitInput();
});
el.input.addEventListener("input", () => {
  autosize();
  refreshSendButton();
});
el.form.addEventListener("submit", (event) => {
  event.preventDefault();
  submitInput();
});
el.chips.addEventListener("click", (event) => {
  const chip = event.target.closest(".chip");
  if (chip && chip.dataset.text) send(chip.dataset.text);
});

// --- messages sent later, over the WebSocket ---

function setStatus(state) {
  el.status.dataset.state = state;
  el.statusText.textContent = t(state);
}

const pushes = live(async () => `/ws/webchat?token=${encodeURIComponent(await visitor.token())}`, {
  onState: setStatus,
  onEvent: (payload) => {
    if (typeof payload.text === "string" && payload.text) showShop([payload.text], payload.choices);
  },
});

// --- history: a reloaded page shows the conversation so far (GET /api/webchat/history) ---

async function restoreHistory() {
  // Restored rows go here, after the welcome line and before anything sent while they load.
  const anchor = document.createComment("history");
  el.messages.insertBefore(anchor, el.messages.firstElementChild ? el.messages.firstElementChild.nextSibling : null);
  let data;
  try {
    const token = await visitor.token();
    const api = createApi({ headers: () => ({ [visitor.HEADER]: token }), timeoutMs: REQUEST_TIMEOUT_MS });
    data = await api("GET", "/api/webchat/history");
  } catch (_) {
    return; // no history is better than no chat: the page works without it
  }
  const messages = data && Array.isArray(data.messages) ? data.messages : [];
  for (const message of messages) {
    if (!message || typeof message.text !== "string" || !message.text) continue;
    const at = new Date(message.at);
    const when = Number.isNaN(at.getTime()) ? new Date() : at;
    const row = message.direction === "in" ? customerRow(message.text, when) : shopRow(message.text, when);
    el.messages.insertBefore(row, anchor);
  }
  scrollToBottom();
}

setStatus("connecting");
restoreHistory().finally(() => pushes.start());
