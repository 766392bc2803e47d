// The shop chat window's behaviour: the server-issued visitor token (bot/web/static/visitor.js) sent
// with every request, one POST per message (retried with the same client_msg_id, which the server
// de-duplicates: once after a dropped connection or a proxy error, and while the server answers 503
// "busy" after the Retry-After it names), replies shown one by one, and a WebSocket for messages sent
// later (an agent's reply, a follow-up), reconnected with backoff (lib/live.js, shared with the console).
// After every (re)connect and when the tab is visible again, the page fetches what it missed meanwhile
// (the history after its newest message) and shows each message once, by its id.
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

// --- each message once ---
// Every stored message has an id: a shop message's comes with its reply, its WebSocket event and the
// history; a customer message's is the client_msg_id this page made for it. A message heard twice (its
// reply or push, and again from a catch-up after a reconnect) is shown once. Keys are "in:id" / "out:id".
const seen = new Set();
const shopRows = new Map(); // shop message id -> its row, for choices heard after the message itself

// Whether a message carrying `keys` is new here (none seen yet); its keys are then seen.
function firstSight(keys) {
  if (keys.some((key) => seen.has(key))) return false;
  for (const key of keys) seen.add(key);
  return true;
}

const stringsOf = (list) => (Array.isArray(list) ? list.filter((id) => typeof id === "string" && id) : []);

// Shop messages (answers, pushes, catch-ups) go through one queue so that they appear in arrival order.
let shown = Promise.resolve();

// `parts`: [{text, ids}] of one answer or push; `choices` belong under its last part.
function showShop(parts, choices = []) {
  const picks = validChoices(choices);
  const last = parts.length > 0 ? parts[parts.length - 1] : null;
  const fresh = parts.filter((part) => firstSight(part.ids.map((id) => `out:${id}`)));
  shown = shown.catch(() => {}).then(async () => {
    let row = null;
    for (let i = 0; i < fresh.length; i += 1) {
      if (i > 0) await sleep(STAGGER_MS);
      row = addShopBubble(fresh[i].text);
      for (const id of fresh[i].ids) shopRows.set(id, row);
    }
    // The last part may have been shown already by a catch-up, which has no choices: they go under it.
    const under = last && last.ids.length > 0 ? shopRows.get(last.ids[0]) : row;
    if (picks.length > 0 && under && !under.querySelector(".picks")) addPicks(under, picks);
  });
  return shown;
}

// The replies of one answer, each with its id (`ids`, in the same order: none from an older server).
function answerParts(texts, ids) {
  const known = Array.isArray(ids) && ids.length === texts.length ? ids : [];
  return texts.map((text, i) => ({ text, ids: typeof known[i] === "string" && known[i] ? [known[i]] : [] }));
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
    const parts = answerParts(replies, data ? data.ids : []);
    return {
      parts: parts.filter((part) => typeof part.text === "string" && part.text.length > 0),
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
    await showShop(answer.parts, answer.choices);
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
  seen.add(`in:${message.id}`); // the history names it by this id: a catch-up does not show it again
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
  onOpen: () => catchUp(),
  onEvent: (payload) => {
    if (typeof payload.text === "string" && payload.text) {
      showShop([{ text: payload.text, ids: stringsOf(payload.ids) }], payload.choices);
    }
  },
});

// --- history (GET /api/webchat/history): a reloaded page shows the conversation so far, and a page
// whose connection was down (a sleeping phone, a lost network) fetches what was sent meanwhile ---

let newestAt = null; // the `at` of the newest message the history gave: where the next catch-up starts
// Where a catch-up starts when the restored history was empty: every message stored since is missed.
const BEGINNING = "1970-01-01T00:00:00Z";

async function readHistory(after) {
  try {
    const token = await visitor.token();
    const api = createApi({ headers: () => ({ [visitor.HEADER]: token }), timeoutMs: REQUEST_TIMEOUT_MS });
    const query = after ? `?after=${encodeURIComponent(after)}` : "";
    const data = await api("GET", `/api/webchat/history${query}`);
    return data && Array.isArray(data.messages) ? data.messages : [];
  } catch (_) {
    return null; // no history is better than no chat: the page works without it
  }
}

// The well-formed messages of a history answer, with their time; the newest one's `at` kept for later.
function historyMessages(messages) {
  const valid = messages.filter((message) => message && typeof message.text === "string" && message.text);
  const newest = valid.length > 0 ? valid[valid.length - 1].at : null;
  if (typeof newest === "string" && newest) newestAt = newest;
  return valid.map((message) => {
    const at = new Date(message.at);
    const id = typeof message.id === "string" && message.id ? message.id : null;
    return { ...message, id, when: Number.isNaN(at.getTime()) ? new Date() : at };
  });
}

function historyRow(message) {
  if (message.direction === "in") return customerRow(message.text, message.when);
  const row = shopRow(message.text, message.when);
  if (message.id) shopRows.set(message.id, row);
  return row;
}

// Restored rows go after the welcome line and before anything shown while they load (or while a
// failed first load waits for the next catch-up to try again).
let historyAnchor = null;
let restored = false; // whether the conversation so far is on the page: until then a catch-up restores it

async function restoreHistory() {
  if (!historyAnchor) {
    historyAnchor = document.createComment("history");
    const first = el.messages.firstElementChild;
    el.messages.insertBefore(historyAnchor, first ? first.nextSibling : null);
  }
  const messages = await readHistory(null);
  if (messages === null) return;
  restored = true;
  for (const message of historyMessages(messages)) {
    // on a retry some were shown meanwhile (answers, pushes, this page's own): those stay where they are
    if (message.id && !firstSight([`${message.direction}:${message.id}`])) continue;
    el.messages.insertBefore(historyRow(message), historyAnchor);
  }
  scrollToBottom();
}

// What was stored since the newest message the page holds and it has not shown, in order, once: shop
// messages, and customer messages written elsewhere (another tab); this page's own are known by their id.
// The server gives the earliest ones first, a page at a time: the page asks again from the newest it got
// until an answer brings nothing new, so a long outage misses nothing.
async function fetchMissed() {
  if (!restored) return restoreHistory();
  for (;;) {
    const messages = await readHistory(newestAt || BEGINNING);
    if (messages === null) return;
    const missed = historyMessages(messages).filter((message) => message.id
      && firstSight([`${message.direction}:${message.id}`]));
    if (missed.length === 0) return;
    shown = shown.catch(() => {}).then(() => {
      for (const message of missed) append(historyRow(message), true);
    });
    await shown;
  }
}

// One catch-up at a time; one asked for meanwhile runs once more after it (its socket opened later).
let catching = null;
let catchAgain = false;

function catchUp() {
  if (catching) {
    catchAgain = true;
    return catching;
  }
  catching = (async () => {
    do {
      catchAgain = false;
      await fetchMissed();
    } while (catchAgain);
  })().finally(() => {
    catching = null;
  });
  return catching;
}

let started = false;

// A phone woken (the tab visible again) or back online may hold a socket that looks open and heard
// nothing while it slept: it catches up as after a reconnect (lib/live.js reconnects a closed one).
function wake() {
  if (started && document.visibilityState === "visible") catchUp();
}

document.addEventListener("visibilitychange", wake);
window.addEventListener("online", wake);

setStatus("connecting");
restoreHistory().finally(() => {
  started = true;
  pushes.start();
});
