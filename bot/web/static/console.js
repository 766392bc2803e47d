// The agent console's behaviour: log in (cookie session plus a CSRF token echoed on every unsafe
// request), then a desk of queue, conversations, history and customer, refreshed from the JSON API
// whenever the agent WebSocket reports anything (and by a slow poll as a safety net). SLA countdowns
// are computed from each deadline and the server's clock (the `now` the API returns), so they agree
// with the server even when the agent's computer clock is wrong.
// This module is the console's shell and desk; the JSON client and the WebSocket are shared with the
// chat window (lib/api.js, lib/live.js), the wording comes from scripts_zh/console.yaml (lib/texts.js),
// and the tabs areas contribute (the after-sales 售后工单 among them) are loaded by console/panels.js.
// Server and customer text is only ever put on the page with textContent.
import { ApiError, createApi, errorText as codeText } from "./lib/api.js";
import { focusedIn, idOf, pad, refocus } from "./lib/dom.js";
import { live } from "./lib/live.js";
import { label, t } from "./lib/texts.js";
import { hidePanels, startPanels, stopPanels } from "./console/panels.js";

const CSRF_KEY = "csbot.console.csrf";
const API = "/api/agent";
const REQUEST_TIMEOUT_MS = 15000;
const REFRESH_DEBOUNCE_MS = 120;
const POLL_ONLINE_MS = 30000; // safety net while the WebSocket is up
const POLL_OFFLINE_MS = 5000; // while it is down
const SUPERVISOR_POLL_MS = 5000;
const TICK_MS = 250;
const URGENT_S = 5;
const FLASH_MS = 6000;
const TOAST_MS = 4000;
const MAX_CHARS = 2000;
const NARROW = "(max-width: 720px)"; // the columns are stacked (console.css)

const TYPING_PING_MS = 10000; // typing proves presence; at most one ping this often

const $ = (id) => document.getElementById(id);
const el = {
  loginView: $("login-view"), loginForm: $("login-form"), loginName: $("login-name"),
  loginPassword: $("login-password"), loginError: $("login-error"), loginSubmit: $("login-submit"),
  consoleView: $("console-view"), tabs: $("tabs"), tabSupervisor: $("tab-supervisor"),
  conn: $("conn"), connText: $("conn-text"), presence: $("presence"), meName: $("me-name"), meRole: $("me-role"),
  logout: $("logout"),
  deskView: $("desk-view"), queueList: $("queue-list"), queueEmpty: $("queue-empty"), queueCount: $("queue-count"),
  mineList: $("mine-list"), mineEmpty: $("mine-empty"), mineCount: $("mine-count"),
  placeholder: $("chat-placeholder"), denied: $("chat-denied"), deniedText: $("chat-denied-text"),
  chatMain: $("chat-main"), chatHead: document.querySelector(".chat-head"), chatCustomer: $("chat-customer"),
  chatVip: $("chat-vip"), chatStatus: $("chat-status"), chatClock: $("chat-clock"), chatSlaKind: $("chat-sla-kind"),
  chatCountdown: $("chat-countdown"), history: $("history"),
  cannedToggle: $("canned-toggle"), cannedPanel: $("canned-panel"), cannedFilter: $("canned-filter"),
  cannedList: $("canned-list"), cannedEmpty: $("canned-empty"),
  replyForm: $("reply-form"), replyInput: $("reply-input"), replySend: $("reply-send"),
  handBack: $("hand-back"), transferOpen: $("transfer-open"),
  side: $("side"), profileLabel: $("profile-label"), profileChannel: $("profile-channel"),
  profileVip: $("profile-vip"), profilePhone: $("profile-phone"), profileAssignee: $("profile-assignee"),
  notesList: $("notes-list"), notesEmpty: $("notes-empty"), noteForm: $("note-form"),
  noteQuestions: $("note-questions"), notePending: $("note-pending"), noteSave: $("note-save"),
  supervisorView: $("supervisor-view"), svQueue: $("sv-queue"), svOnline: $("sv-online"),
  svReplyRate: $("sv-reply-rate"), svReplySub: $("sv-reply-sub"), svGreetRate: $("sv-greet-rate"),
  svGreetSub: $("sv-greet-sub"), svBreaches: $("sv-breaches"), svHolding: $("sv-holding"),
  nearBody: $("near-body"), nearEmpty: $("near-empty"), agentsBody: $("agents-body"),
  forbiddenDialog: $("forbidden-dialog"), forbiddenPhrases: $("forbidden-phrases"),
  transferDialog: $("transfer-dialog"), transferTo: $("transfer-to"), transferNote: $("transfer-note"),
  toasts: $("toasts"),
  tplConv: $("tpl-conv"), tplQueue: $("tpl-queue"), tplMsg: $("tpl-msg"),
};

const state = {
  me: null,
  csrf: null,
  offset: 0, // server epoch seconds minus this browser's
  offsetKnown: false, // from a `now` in an answer (exact); countdowns wait for it
  offsetRough: false, // from an HTTP Date header (to the second): enough for "waited 3 minutes"
  drafts: new Map(), // conversation id -> unsent reply text
  queue: [],
  mine: [],
  selectedId: null, // string
  detail: null, // the last GET /conversations/{id} answer for selectedId
  canned: [],
  agents: [],
  view: "desk",
  flashUntil: new Map(), // conversation id -> Date.now() ms when the flash ends
  pendingText: null, // text waiting for "send anyway"
  sending: false,
  reasons: {}, // handover reason codes in Chinese, from the server (scripts_zh/handoff.yaml)
};

// --- helpers ---

const serverNow = () => Date.now() / 1000 + state.offset;
const isSupervisor = () => Boolean(state.me) && (state.me.role === "supervisor" || state.me.role === "admin");
const reasonLabel = (code) => state.reasons[code] ?? label("reason_", code);

function formatTime(epochSeconds) {
  if (typeof epochSeconds !== "number" || !Number.isFinite(epochSeconds)) return "";
  const date = new Date(epochSeconds * 1000);
  const now = new Date(serverNow() * 1000);
  const hm = `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
  if (date.toDateString() === now.toDateString()) return hm;
  return `${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${hm}`;
}

function formatDuration(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 60) return t("seconds", { s });
  if (s < 3600) return t("minutes", { m: Math.floor(s / 60), s: pad(s % 60) });
  return t("hours", { h: Math.floor(s / 3600), m: pad(Math.floor((s % 3600) / 60)) });
}

function rate(part, whole) {
  if (typeof whole !== "number" || whole <= 0) return "—";
  return `${((100 * (part || 0)) / whole).toFixed(1)}%`;
}

function toast(text, kind = "") {
  const node = document.createElement("div");
  node.className = kind ? `toast ${kind}` : "toast";
  node.setAttribute("role", kind === "error" ? "alert" : "status");
  node.textContent = text;
  el.toasts.appendChild(node);
  setTimeout(() => node.remove(), TOAST_MS);
}

function agentName(id) {
  const key = idOf(id);
  if (state.me && idOf(state.me.id) === key) return state.me.name;
  const agent = state.agents.find((a) => idOf(a.id) === key);
  return agent ? agent.name : t("agent_number", { id: key });
}

function personName(author) {
  if (author && typeof author === "object") return author.name || agentName(author.id);
  const text = String(author ?? "");
  if (text.startsWith("agent:")) return agentName(text.slice(6));
  if (text === "system") return t("who_system");
  if (text === "bot") return t("who_bot");
  if (text === "customer") return t("who_customer");
  return text;
}

// --- the JSON API ---

const api = createApi({
  base: API,
  timeoutMs: REQUEST_TIMEOUT_MS,
  headers: (method) => (method !== "GET" && state.csrf ? { "X-CSRF-Token": state.csrf } : {}),
  onAnswer: (data, response) => {
    if (data && typeof data.now === "number") syncClock(data.now);
    else if (!state.offsetKnown) roughClock(response.headers.get("Date"));
  },
  onUnauthorized: (path) => {
    if (path !== "/login" && state.me) sessionExpired();
  },
});

function syncClock(now) {
  state.offset = now - Date.now() / 1000;
  state.offsetKnown = true;
}

function roughClock(header) {
  const at = header ? Date.parse(header) : NaN;
  if (Number.isNaN(at)) return;
  state.offset = at / 1000 + 0.5 - Date.now() / 1000;
  state.offsetRough = true;
}

// The server's error code in Chinese where the console has a label for it (`error_<code>`).
function errorText(error) {
  if (error instanceof ApiError && error.status === 0) return t("network");
  return codeText(error, t("failed"));
}

function conflictText(error) {
  if (error instanceof ApiError && error.status === 403) return t("denied");
  if (error instanceof ApiError && error.status === 409) return t("not_held");
  return errorText(error);
}

const path = {
  conversation: (id) => `/conversations/${encodeURIComponent(id)}`,
};

// --- login and session ---

function loadCsrf() {
  try {
    return window.sessionStorage.getItem(CSRF_KEY);
  } catch (_) {
    return null;
  }
}

function saveCsrf(token) {
  try {
    if (token) window.sessionStorage.setItem(CSRF_KEY, token);
    else window.sessionStorage.removeItem(CSRF_KEY);
  } catch (_) {
    // storage disabled: the token lives as long as the page
  }
}

function showLogin(message = "") {
  el.consoleView.hidden = true;
  el.loginView.hidden = false;
  el.loginError.hidden = !message;
  el.loginError.textContent = message;
  el.loginSubmit.disabled = false;
  el.loginPassword.value = "";
  (el.loginName.value ? el.loginPassword : el.loginName).focus();
}

function sessionExpired() {
  leaveConsole();
  showLogin(t("expired"));
}

el.loginForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  const name = el.loginName.value.trim();
  const password = el.loginPassword.value;
  if (!name || !password) {
    el.loginError.textContent = t("login_empty");
    el.loginError.hidden = false;
    return;
  }
  el.loginSubmit.disabled = true;
  el.loginError.hidden = true;
  try {
    const data = await api("POST", "/login", { name, password });
    state.csrf = data.csrf_token;
    saveCsrf(state.csrf);
    el.loginPassword.value = "";
    enterConsole(data.agent);
  } catch (error) {
    let message = t("login_failed");
    if (error instanceof ApiError) {
      if (error.status === 401) message = t("login_wrong");
      else if (error.status === 429) message = t("login_locked");
      else if (error.status === 400) message = t("login_empty");
      else if (error.status === 0) message = t("network");
    }
    el.loginError.textContent = message;
    el.loginError.hidden = false;
    el.loginPassword.select();
  } finally {
    el.loginSubmit.disabled = false;
  }
});

el.logout.addEventListener("click", async () => {
  try {
    await api("POST", "/logout", {});
  } catch (_) {
    // logged out locally either way
  }
  leaveConsole();
  showLogin();
});

// --- entering and leaving the console ---

let ticker = 0;
let poller = 0;
let supervisorPoller = 0;

function renderMe() {
  const me = state.me;
  el.meName.textContent = me.name;
  el.meRole.textContent = label("role_", me.role);
  for (const button of el.presence.querySelectorAll(".presence-btn")) {
    button.setAttribute("aria-pressed", String(button.dataset.presence === me.presence));
  }
  el.tabSupervisor.hidden = !isSupervisor();
  document.title = t("title_with_name", { name: me.name });
}

function enterConsole(agent) {
  state.me = agent;
  el.loginView.hidden = true;
  el.consoleView.hidden = false;
  renderMe();
  showView("desk");
  renderSelection();
  socket.start();
  loadCanned();
  loadAgents();
  loadLabels();
  refreshNow();
  clearInterval(ticker);
  ticker = setInterval(tick, TICK_MS);
  schedulePoll();
  const fromHash = hashConversation();
  if (fromHash) select(fromHash);
  startPanels({
    tabs: el.tabs, host: el.consoleView, showBuiltIn: showView,
    base: { api, me: agent, live: socket, t, toast, agents: loadAgents },
  });
}

function leaveConsole() {
  state.me = null;
  state.csrf = null;
  saveCsrf(null);
  state.selectedId = null;
  state.detail = null;
  state.queue = [];
  state.mine = [];
  state.flashUntil.clear();
  state.drafts.clear();
  el.replyInput.value = "";
  clearInterval(ticker);
  clearTimeout(poller);
  clearInterval(supervisorPoller);
  clearInterval(titleFlasher);
  presenceBanner.hidden = true;
  alertBanner.hidden = true;
  stopPanels();
  socket.stop();
  for (const dialog of [el.forbiddenDialog, el.transferDialog]) if (dialog.open) dialog.close();
  // nothing of this session stays on the page for whoever logs in next
  renderQueue();
  renderMine();
  el.history.replaceChildren();
  renderSelection();
  if (window.location.hash) window.history.replaceState(null, "", window.location.pathname);
  document.title = t("title");
}

// --- presence ---

el.presence.addEventListener("click", async (event) => {
  const button = event.target.closest(".presence-btn");
  if (!button || !state.me) return;
  const held = state.mine.filter((c) => c.assignee && idOf(c.assignee.id) === idOf(state.me.id)).length;
  if (button.dataset.presence === "offline" && held > 0 &&
      !window.confirm(t("confirm_offline", { held }))) {
    return;
  }
  try {
    const seen = presenceEvents;
    const data = await api("POST", "/presence", { presence: button.dataset.presence });
    if (seen !== presenceEvents) return; // the server changed it again meanwhile: its event is newer
    state.me = { ...state.me, ...(data.agent || { presence: button.dataset.presence }) };
    renderMe();
    refreshSoon();
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 401)) toast(errorText(error), "error");
  }
});

// presence changed by the server (or in another tab): banner, title flash, a beep, one click back
const presenceBanner = $("presence-banner");
const alertBanner = $("alert-banner");
let titleFlasher = 0;
let presenceEvents = 0;

function presenceChanged(presence, reason) {
  if (!state.me) return;
  presenceEvents += 1;
  state.me = { ...state.me, presence };
  renderMe();
  clearInterval(titleFlasher);
  if (presence === "online") {
    presenceBanner.hidden = true;
    return;
  }
  const away = reason === "self" ? t("self_away") : t("set_away");
  $("presence-banner-text").textContent = presence === "away" ? away : t("set_offline");
  presenceBanner.hidden = false;
  if (reason === "self") return;
  const title = document.title;
  let on = false;
  titleFlasher = setInterval(() => {
    on = !on;
    document.title = on ? t("away_title") : title;
  }, 1000);
  beep();
}

function beep() {
  try { // only where the browser allows sound without a gesture
    const audio = new (window.AudioContext || window.webkitAudioContext)();
    const tone = audio.createOscillator();
    tone.frequency.value = 880;
    tone.connect(audio.destination);
    tone.start();
    tone.stop(audio.currentTime + 0.3);
  } catch (_) {
    // no sound: the banner and the title still tell
  }
}

function showAlert(text) {
  $("alert-banner-text").textContent = text;
  alertBanner.hidden = false;
  beep();
}

$("alert-dismiss").addEventListener("click", () => { alertBanner.hidden = true; });
$("presence-back").addEventListener("click", async () => {
  try {
    const data = await api("POST", "/presence", { presence: "online" });
    state.me = { ...state.me, ...(data.agent || {}) };
    presenceChanged("online", "self");
    toast(t("back_online"));
    refreshSoon();
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 401)) toast(errorText(error), "error");
  }
});

let lastTypingPing = 0;
function typingPing() { // any console action proves presence; the server restores "online"
  const now = Date.now();
  if (!state.me || now - lastTypingPing < TYPING_PING_MS) return;
  lastTypingPing = now;
  api("POST", "/typing", {}).then((data) => {
    if (data.agent && state.me && data.agent.presence !== state.me.presence) presenceChanged(data.agent.presence);
  }).catch(() => {});
}

async function loadLabels() { // reason codes in Chinese, from the server (scripts_zh/handoff.yaml)
  try {
    const data = await api("GET", "/labels");
    state.reasons = data.reasons || {};
  } catch (_) {
    // the built-in labels stay
  }
}

// --- views (desk / supervisor) ---

// `view` null: a panel's tab was opened (console/panels.js shows it), so the built-in views hide.
function showView(view) {
  if (view === "supervisor" && isSupervisor()) state.view = "supervisor";
  else state.view = view === null ? null : "desk";
  el.deskView.hidden = state.view !== "desk";
  el.supervisorView.hidden = state.view !== "supervisor";
  if (state.view !== null) {
    hidePanels(el.consoleView);
    for (const tab of el.tabs.querySelectorAll(".tab")) {
      tab.setAttribute("aria-pressed", String(tab.dataset.view === state.view));
    }
  }
  clearInterval(supervisorPoller);
  if (state.view === "supervisor") {
    loadSupervisor();
    supervisorPoller = setInterval(loadSupervisor, SUPERVISOR_POLL_MS);
  }
}

el.tabs.addEventListener("click", (event) => {
  const tab = event.target.closest(".tab");
  if (tab && tab.dataset.view) showView(tab.dataset.view);
});

// --- refreshing: every event reloads what is shown ---

let refreshTimer = 0;
let refreshing = null;
let refreshAgain = false;

function refreshSoon() {
  if (!state.me || refreshTimer) return;
  refreshTimer = setTimeout(() => {
    refreshTimer = 0;
    refreshNow();
  }, REFRESH_DEBOUNCE_MS);
}

function refreshNow() {
  if (!state.me) return Promise.resolve();
  if (refreshing) {
    refreshAgain = true;
    return refreshing;
  }
  refreshing = Promise.allSettled([
    loadQueue(),
    loadMine(),
    state.selectedId ? loadDetail(state.selectedId) : null,
    state.view === "supervisor" ? loadSupervisor() : null,
  ]).then(() => {
    refreshing = null;
    if (refreshAgain) {
      refreshAgain = false;
      refreshNow();
    }
  });
  return refreshing;
}

function schedulePoll() {
  clearTimeout(poller);
  if (!state.me) return;
  const online = el.conn.dataset.state === "online";
  poller = setTimeout(() => {
    refreshNow();
    schedulePoll();
  }, online ? POLL_ONLINE_MS : POLL_OFFLINE_MS);
}

// --- the queue ---

async function loadQueue() {
  const data = await api("GET", "/queue");
  state.queue = Array.isArray(data.queue) ? data.queue : [];
  renderQueue();
}

function renderQueue() {
  const items = state.queue.map((entry) => {
    const node = el.tplQueue.content.firstElementChild.cloneNode(true);
    const customer = entry.customer || {};
    node.dataset.id = idOf(entry.conversation_id);
    node.classList.toggle("vip", Boolean(customer.vip));
    node.querySelector(".queue-pos").textContent = entry.position ? `#${entry.position}` : "";
    node.querySelector(".conv-label").textContent = customer.label || t("who_customer");
    node.querySelector(".vip-badge").hidden = !customer.vip;
    node.querySelector(".queue-reason").textContent = reasonLabel(entry.reason || "human");
    node.querySelector(".queue-channel").textContent = label("channel_", customer.channel || "");
    const waited = node.querySelector(".waited");
    if (typeof entry.waiting_since === "number") waited.dataset.since = String(entry.waiting_since);
    const take = node.querySelector(".take");
    take.setAttribute("aria-label", t("take_label", { name: customer.label || t("who_customer") }));
    take.addEventListener("click", () => takeConversation(node.dataset.id, take));
    return node;
  });
  const focused = focusedIn(el.queueList, ".queue-item");
  el.queueList.replaceChildren(...items);
  refocus(el.queueList, ".queue-item", focused, ".take");
  el.queueEmpty.hidden = items.length > 0;
  el.queueCount.textContent = String(items.length);
  tick();
}

async function takeConversation(id, button) {
  button.disabled = true;
  try {
    await api("POST", `${path.conversation(id)}/take`, {});
    toast(t("taken"));
    select(id);
    refreshSoon();
  } catch (error) {
    button.disabled = false;
    if (error instanceof ApiError && error.status === 401) return;
    toast(error instanceof ApiError && error.status === 409 ? t("take_conflict") : errorText(error), "error");
    refreshSoon();
  }
}

// --- my conversations ---

async function loadMine() {
  const data = await api("GET", "/conversations");
  state.mine = Array.isArray(data.conversations) ? data.conversations : [];
  renderMine();
  if (!state.offsetKnown && !state.selectedId && state.mine.length) {
    // the list has deadlines but no server time: one detail read tells the clock offset
    loadClockFrom(idOf(state.mine[0].conversation_id));
  }
}

async function loadClockFrom(id) {
  try {
    await api("GET", path.conversation(id));
    tick();
  } catch (_) {
    // countdowns stay hidden until a conversation is opened
  }
}

function lastLine(conversation) {
  const last = conversation.last_message;
  let text = last ? `${personName(last.author)}：${last.text ?? ""}` : "";
  const assignee = conversation.assignee;
  if (assignee && state.me && idOf(assignee.id) !== idOf(state.me.id)) {
    text = `[${assignee.name || agentName(assignee.id)}] ${text}`;
  }
  return text.replace(/\s+/g, " ");
}

function renderMine() {
  const items = state.mine.map((conversation) => {
    const node = el.tplConv.content.firstElementChild.cloneNode(true);
    const customer = conversation.customer || {};
    const id = idOf(conversation.conversation_id);
    node.dataset.id = id;
    node.classList.toggle("selected", id === state.selectedId);
    node.querySelector(".conv-label").textContent = customer.label || t("who_customer");
    node.querySelector(".vip-badge").hidden = !customer.vip;
    node.querySelector(".conv-last").textContent = lastLine(conversation);
    setCountdown(node.querySelector(".countdown"), conversation.sla);
    node.querySelector(".conv-btn").addEventListener("click", () => {
      select(id);
      if (window.matchMedia(NARROW).matches) el.chatHead.closest(".col-chat").scrollIntoView({ block: "start" });
    });
    return node;
  });
  const focused = focusedIn(el.mineList, ".conv");
  el.mineList.replaceChildren(...items);
  refocus(el.mineList, ".conv", focused, ".conv-btn");
  el.mineEmpty.hidden = items.length > 0;
  el.mineCount.textContent = String(items.length);
  applyFlash();
  tick();
}

// --- countdowns and flashing ---

function setCountdown(node, sla) {
  const due = sla && typeof sla.due_at === "number" ? sla.due_at : null;
  if (due === null) {
    delete node.dataset.due;
    node.textContent = "";
    node.title = "";
    return;
  }
  node.dataset.due = String(due);
  node.title = label("sla_", sla.kind || "reply");
}

function tick() {
  const now = serverNow();
  for (const node of document.querySelectorAll(".countdown[data-due]")) {
    if (!state.offsetKnown) {
      node.textContent = "";
      continue;
    }
    const left = Number(node.dataset.due) - now;
    const shown = Math.max(0, Math.ceil(left));
    node.textContent = left > 0 ? t("seconds", { s: shown }) : t("overdue");
    node.classList.toggle("urgent", left > 0 && left < URGENT_S);
    node.classList.toggle("overdue", left <= 0);
    node.dataset.left = String(shown);
  }
  for (const node of document.querySelectorAll(".waited[data-since]")) {
    const known = state.offsetKnown || state.offsetRough;
    node.textContent = known ? formatDuration(now - Number(node.dataset.since)) : "—";
  }
  if (state.flashUntil.size) {
    const ms = Date.now();
    let changed = false;
    for (const [id, until] of state.flashUntil) {
      if (until <= ms) {
        state.flashUntil.delete(id);
        changed = true;
      }
    }
    if (changed) applyFlash();
  }
}

function flash(id, secondsLeft) {
  const key = idOf(id);
  state.flashUntil.set(key, Date.now() + FLASH_MS);
  applyFlash();
  const conversation = state.mine.find((c) => idOf(c.conversation_id) === key);
  const who = conversation && conversation.customer ? conversation.customer.label : "";
  const named = who ? `${who} ` : "";
  toast(typeof secondsLeft === "number"
    ? t("near_breach_left", { who: named, left: Math.max(0, Math.ceil(secondsLeft)) })
    : t("near_breach", { who: named }), "error");
}

function applyFlash() {
  for (const node of el.mineList.querySelectorAll(".conv")) {
    node.classList.toggle("flash", state.flashUntil.has(node.dataset.id));
  }
  el.chatHead.classList.toggle("flash", Boolean(state.selectedId) && state.flashUntil.has(state.selectedId));
  if (state.me) document.title = t(state.flashUntil.size ? "title_urgent" : "title_with_name", { name: state.me.name });
}

// --- the selected conversation ---

function hashConversation() {
  const match = /^#c=([A-Za-z0-9_-]{1,64})$/.exec(window.location.hash);
  return match ? match[1] : null;
}

function select(id) {
  const key = idOf(id);
  if (!key) return;
  if (key !== state.selectedId) {
    saveDraft();
    state.selectedId = key;
    state.detail = null;
    el.history.replaceChildren();
    el.replyInput.value = state.drafts.get(key) || "";
    autosize();
    refreshSendButton();
  }
  if (window.location.hash !== `#c=${key}`) window.history.replaceState(null, "", `#c=${key}`);
  for (const node of el.mineList.querySelectorAll(".conv")) {
    node.classList.toggle("selected", node.dataset.id === key);
  }
  applyFlash();
  loadDetail(key);
}

function saveDraft() {
  if (!state.selectedId) return;
  const draft = el.replyInput.value;
  if (draft.trim()) state.drafts.set(state.selectedId, draft);
  else state.drafts.delete(state.selectedId);
}

function unselect(message = "") {
  if (state.selectedId) state.drafts.delete(state.selectedId);
  el.replyInput.value = "";
  state.selectedId = null;
  state.detail = null;
  if (window.location.hash) window.history.replaceState(null, "", window.location.pathname);
  for (const node of el.mineList.querySelectorAll(".conv.selected")) node.classList.remove("selected");
  renderSelection(message);
}

window.addEventListener("hashchange", () => {
  const id = hashConversation();
  if (id && state.me && id !== state.selectedId) select(id);
});

async function loadDetail(id) {
  try {
    const data = await api("GET", path.conversation(id));
    if (state.selectedId !== id) return;
    state.detail = data;
    renderSelection();
  } catch (error) {
    if (state.selectedId !== id) return;
    if (!(error instanceof ApiError) || error.status === 401) return;
    const wasOpen = Boolean(state.detail);
    state.detail = null;
    if (error.status === 403) renderSelection("", wasOpen ? t("moved") : t("denied"));
    else if (error.status === 404) renderSelection("", t("missing"));
    else if (error.status === 0 && el.chatMain.hidden === false) toast(t("network"), "error");
    else renderSelection("", t("load_failed"));
  }
}

function renderSelection(placeholder = "", denied = "") {
  const detail = state.detail;
  const showChat = Boolean(state.selectedId && detail && detail.conversation);
  el.chatMain.hidden = !showChat;
  el.side.hidden = !showChat;
  el.deskView.classList.toggle("no-side", !showChat);
  el.denied.hidden = !denied;
  el.deniedText.textContent = denied;
  el.placeholder.hidden = showChat || Boolean(denied) || Boolean(state.selectedId && !detail);
  if (placeholder) $("chat-placeholder-text").textContent = placeholder;
  else $("chat-placeholder-text").textContent = t("pick_conversation");
  if (!showChat) return;

  const conversation = detail.conversation;
  const customer = conversation.customer || {};
  const assignee = conversation.assignee;
  const mine = Boolean(assignee && state.me && idOf(assignee.id) === idOf(state.me.id));

  el.chatCustomer.textContent = customer.label || t("who_customer");
  el.chatVip.hidden = !customer.vip;
  el.chatStatus.textContent = label("status_", conversation.status || "");
  const sla = conversation.sla;
  el.chatClock.hidden = !(sla && typeof sla.due_at === "number");
  el.chatSlaKind.textContent = sla ? label("sla_", sla.kind || "reply") : "";
  if (typeof conversation.sends_left === "number") el.chatSlaKind.textContent += t("sends_left", { n: conversation.sends_left });
  setCountdown(el.chatCountdown, sla);

  renderHistory(Array.isArray(detail.messages) ? detail.messages : [], customer.label);

  el.replyInput.disabled = !mine;
  el.replyInput.placeholder = mine ? t("reply_placeholder") : t("not_mine");
  el.cannedToggle.disabled = !mine;
  el.handBack.disabled = !mine;
  el.transferOpen.disabled = !(mine || isSupervisor());
  refreshSendButton();

  el.profileLabel.textContent = customer.label || "—";
  el.profileChannel.textContent = customer.channel ? label("channel_", customer.channel) : "—";
  el.profileVip.textContent = customer.vip ? t("vip_member") : t("plain_customer");
  el.profilePhone.textContent = customer.phone_masked || t("no_phone");
  el.profileAssignee.textContent = assignee ? assignee.name || agentName(assignee.id) : "—";
  renderNotes(Array.isArray(detail.notes) ? detail.notes : []);
  applyFlash();
  tick();
}

function messageClass(message) {
  const author = String(message.author ?? "");
  if (author === "system") return "msg-system";
  if (author === "bot") return "msg-bot";
  if (author.startsWith("agent:")) {
    return state.me && author === `agent:${state.me.id}` ? "msg-agent" : "msg-agent-other";
  }
  if (author === "customer") return "msg-customer";
  return message.direction === "in" ? "msg-customer" : "msg-bot";
}

function messageNode(message, customerLabel) {
  const node = el.tplMsg.content.firstElementChild.cloneNode(true);
  const kind = messageClass(message);
  node.classList.add(kind);
  node.dataset.id = idOf(message.id);
  let who = personName(message.author);
  if (kind === "msg-customer") who = customerLabel || t("who_customer");
  if (kind === "msg-bot") who = t("who_bot");
  if (kind === "msg-agent") who = t("who_me", { name: state.me.name });
  node.querySelector(".who").textContent = who;
  const time = node.querySelector(".msg-time");
  time.textContent = formatTime(message.created_at);
  if (typeof message.created_at === "number") time.dateTime = new Date(message.created_at * 1000).toISOString();
  const text = String(message.text ?? "");
  node.querySelector(".bubble").textContent =
    kind === "msg-system" && message.direction === "out" ? t("system_sent", { text }) : text;
  return node;
}

function renderHistory(messages, customerLabel) {
  const box = el.history;
  const stick = box.scrollHeight - box.scrollTop - box.clientHeight < 80 || box.childElementCount === 0;
  const shown = [...box.children].map((node) => node.dataset.id);
  const ids = messages.map((m) => idOf(m.id));
  const prefix = shown.length <= ids.length && shown.every((id, i) => id === ids[i] && id !== "");
  if (prefix) {
    for (const message of messages.slice(shown.length)) box.appendChild(messageNode(message, customerLabel));
  } else {
    box.replaceChildren(...messages.map((m) => messageNode(m, customerLabel)));
  }
  if (stick) box.scrollTop = box.scrollHeight;
}

function renderNotes(notes) {
  const items = notes.map((note) => {
    const li = document.createElement("li");
    li.className = "note";
    const meta = document.createElement("div");
    meta.className = "note-meta";
    meta.textContent = `${personName(note.author)} · ${formatTime(note.created_at)}`;
    li.appendChild(meta);
    for (const [title, value] of [[t("note_questions"), note.open_questions], [t("note_pending"), note.pending]]) {
      if (!value) continue;
      const line = document.createElement("p");
      line.className = "note-line";
      const b = document.createElement("b");
      b.textContent = `${title}：`;
      line.append(b, document.createTextNode(String(value)));
      li.appendChild(line);
    }
    return li;
  });
  el.notesList.replaceChildren(...items);
  el.notesEmpty.hidden = items.length > 0;
}

// --- replying ---

function refreshSendButton() {
  el.replySend.disabled = state.sending || el.replyInput.disabled || el.replyInput.value.trim() === "";
}

function autosize() {
  el.replyInput.style.height = "auto";
  el.replyInput.style.height = `${Math.min(el.replyInput.scrollHeight + 2, 160)}px`;
}

async function sendReply(text, confirm) {
  const id = state.selectedId;
  if (!id || state.sending) return;
  if (text.length > MAX_CHARS) {
    toast(t("too_long", { max: MAX_CHARS }), "error");
    return;
  }
  state.sending = true;
  refreshSendButton();
  try {
    await api("POST", `${path.conversation(id)}/messages`, { text, confirm });
    if (state.selectedId === id && el.replyInput.value.replace(/\r\n?/g, "\n").trim() === text) {
      el.replyInput.value = "";
      autosize();
    }
    state.drafts.delete(id);
    refreshSoon();
  } catch (error) {
    if (error instanceof ApiError && error.status === 409 && error.code === "forbidden_language") {
      warnForbidden(text, Array.isArray(error.detail.phrases) ? error.detail.phrases : []);
    } else if (!(error instanceof ApiError && error.status === 401)) {
      toast(conflictText(error), "error");
      refreshSoon();
    }
  } finally {
    state.sending = false;
    refreshSendButton();
  }
}

function submitReply() {
  const text = el.replyInput.value.replace(/\r\n?/g, "\n").trim();
  if (!text || el.replyInput.disabled) return;
  sendReply(text, false);
}

el.replyInput.addEventListener("keydown", (event) => {
  if (event.key !== "Enter" || event.shiftKey) return;
  if (event.isComposing || event.keyCode === 229) return; // Enter that picks a pinyin candidate
  event.preventDefault();
  submitReply();
});
el.replyInput.addEventListener("input", () => {
  autosize();
  refreshSendButton();
  typingPing();
});
el.replyForm.addEventListener("submit", (event) => {
  event.preventDefault();
  submitReply();
});

// --- the forbidden-language warning ---

function warnForbidden(text, phrases) {
  state.pendingText = text;
  el.forbiddenPhrases.replaceChildren(...phrases.map((phrase) => {
    const li = document.createElement("li");
    li.className = "phrase";
    li.textContent = String(phrase);
    return li;
  }));
  el.forbiddenDialog.returnValue = "";
  el.forbiddenDialog.showModal();
}

el.forbiddenDialog.addEventListener("close", () => {
  const text = state.pendingText;
  state.pendingText = null;
  if (!text) return;
  if (el.forbiddenDialog.returnValue === "send") {
    sendReply(text, true);
    return;
  }
  // rephrase: back to the text, with the first offending phrase selected
  el.replyInput.focus();
  const first = [...el.forbiddenPhrases.children].map((li) => li.textContent).find((p) => p && text.includes(p));
  const at = first ? el.replyInput.value.indexOf(first) : -1;
  if (at >= 0) el.replyInput.setSelectionRange(at, at + first.length);
});

// --- canned replies ---

async function loadCanned() {
  try {
    const data = await api("GET", "/canned");
    state.canned = Array.isArray(data.replies) ? data.replies : [];
  } catch (_) {
    state.canned = [];
  }
  renderCanned();
}

function renderCanned() {
  const filter = el.cannedFilter.value.trim().toLowerCase();
  const matches = state.canned.filter((reply) => !filter ||
    [reply.key, reply.title, reply.text].some((part) => String(part ?? "").toLowerCase().includes(filter)));
  el.cannedList.replaceChildren(...matches.map((reply) => {
    const li = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.className = "canned-item";
    button.setAttribute("role", "option");
    const title = document.createElement("span");
    title.className = "canned-item-title";
    const full = String(reply.text || "");
    const heading = String(reply.title || "");
    const text = document.createElement("span");
    text.className = "canned-item-text";
    text.textContent = full;
    if (heading && !full.startsWith(heading)) {
      title.textContent = heading;
      button.append(title, text);
    } else {
      text.classList.add("only"); // the title is just the text's start: show the text once
      button.append(text);
    }
    button.addEventListener("click", () => insertCanned(String(reply.text || "")));
    li.appendChild(button);
    return li;
  }));
  el.cannedEmpty.hidden = matches.length > 0;
}

function toggleCanned(open) {
  const show = open ?? el.cannedPanel.hidden;
  el.cannedPanel.hidden = !show;
  el.cannedToggle.setAttribute("aria-expanded", String(show));
  if (show) {
    el.cannedFilter.value = "";
    renderCanned();
    el.cannedFilter.focus();
  }
}

function insertCanned(text) {
  const input = el.replyInput;
  const start = input.selectionStart ?? input.value.length;
  const end = input.selectionEnd ?? input.value.length;
  input.value = input.value.slice(0, start) + text + input.value.slice(end);
  toggleCanned(false);
  input.focus();
  input.setSelectionRange(start + text.length, start + text.length);
  autosize();
  refreshSendButton();
}

el.cannedToggle.addEventListener("click", () => toggleCanned());
el.cannedFilter.addEventListener("input", renderCanned);
el.cannedPanel.addEventListener("keydown", (event) => {
  if (event.key === "Escape") {
    toggleCanned(false);
    el.cannedToggle.focus();
  }
});
document.addEventListener("click", (event) => {
  if (!el.cannedPanel.hidden && !event.target.closest("#canned")) toggleCanned(false);
});

// --- hand back, transfer, notes ---

el.handBack.addEventListener("click", async () => {
  const id = state.selectedId;
  if (!id) return;
  el.handBack.disabled = true;
  try {
    await api("POST", `${path.conversation(id)}/hand-back`, {});
    toast(t("handed_back"));
    if (state.selectedId === id) unselect();
    refreshSoon();
  } catch (error) {
    el.handBack.disabled = false;
    if (!(error instanceof ApiError && error.status === 401)) toast(conflictText(error), "error");
    refreshSoon();
  }
});

async function loadAgents() {
  try {
    const data = await api("GET", "/agents");
    state.agents = Array.isArray(data.agents) ? data.agents : [];
  } catch (_) {
    // names fall back to "agent #id"; the transfer list offers the supervisor only
  }
  return state.agents;
}

function fillTransferTargets() {
  const previous = el.transferTo.value;
  const options = [];
  const toSupervisor = document.createElement("option");
  toSupervisor.value = "supervisor";
  toSupervisor.textContent = t("to_supervisor");
  options.push(toSupervisor);
  const assignee = state.detail && state.detail.conversation ? state.detail.conversation.assignee : null;
  let preferred = null;
  for (const agent of state.agents) {
    if (state.me && idOf(agent.id) === idOf(state.me.id)) continue;
    if (assignee && idOf(agent.id) === idOf(assignee.id)) continue;
    const option = document.createElement("option");
    option.value = idOf(agent.id);
    const load = typeof agent.load === "number" ? ` ${agent.load}/${agent.capacity ?? "?"}` : "";
    option.textContent = `${agent.name}（${label("presence_", agent.presence || "offline")}${load}）`;
    option.disabled = agent.presence === "offline";
    if (!option.disabled && preferred === null) preferred = option.value;
    options.push(option);
  }
  el.transferTo.replaceChildren(...options);
  const keep = options.find((option) => option.value === previous && !option.disabled);
  el.transferTo.value = keep ? previous : preferred ?? "supervisor";
}

el.transferOpen.addEventListener("click", () => {
  if (!state.selectedId) return;
  el.transferTo.replaceChildren();
  fillTransferTargets(); // at once from what is known, then again with fresh presence and load
  el.transferNote.value = "";
  el.transferDialog.returnValue = "";
  el.transferDialog.showModal();
  loadAgents().then(() => {
    if (el.transferDialog.open) fillTransferTargets();
  });
});

el.transferDialog.addEventListener("close", async () => {
  const id = state.selectedId;
  if (el.transferDialog.returnValue !== "transfer" || !id) return;
  const target = el.transferTo.value;
  const body = {
    to_agent_id: target === "supervisor" ? null : Number(target),
    to_supervisor: target === "supervisor",
    note: el.transferNote.value.trim(),
  };
  try {
    await api("POST", `${path.conversation(id)}/transfer`, body);
    toast(t("transferred"));
    if (state.selectedId === id && !isSupervisor()) unselect();
    refreshSoon();
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 401)) {
      toast(error instanceof ApiError && error.status === 409 ? t("transfer_conflict") : conflictText(error), "error");
    }
  }
});

el.noteForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  const id = state.selectedId;
  const body = { open_questions: el.noteQuestions.value.trim(), pending: el.notePending.value.trim() };
  if (!id) return;
  if (!body.open_questions && !body.pending) {
    toast(t("note_empty"), "error");
    return;
  }
  el.noteSave.disabled = true;
  try {
    await api("POST", `${path.conversation(id)}/notes`, body);
    el.noteQuestions.value = "";
    el.notePending.value = "";
    toast(t("note_saved"));
    refreshSoon();
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 401)) toast(errorText(error), "error");
  } finally {
    el.noteSave.disabled = false;
  }
});

// --- the supervisor view ---

async function loadSupervisor() {
  if (!isSupervisor() || state.view !== "supervisor") return;
  let data;
  try {
    [data] = await Promise.all([api("GET", "/supervisor"), loadAgents()]);
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 401)) toast(errorText(error), "error");
    return;
  }
  const today = data.today || {};
  el.svQueue.textContent = String(data.queue_length ?? "–");
  el.svOnline.textContent = String(data.agents_online ?? "–");
  // the customer's figures: a person's own answer within 20 s, a person within 15 s of asking (queue included)
  const answered = today.person_answered_within_sla ?? 0;
  const asked = today.answered_by_person ?? 0;
  const reached = today.person_within_sla ?? 0;
  const handovers = today.person_reached ?? 0;
  el.svReplyRate.textContent = rate(answered, asked);
  el.svReplySub.textContent = t("messages_count", { done: answered, total: asked });
  el.svGreetRate.textContent = rate(reached, handovers);
  el.svGreetSub.textContent = t("greetings_count", { done: reached, total: handovers });
  el.svReplyRate.classList.toggle("bad", answered < asked);
  el.svGreetRate.classList.toggle("bad", reached < handovers);
  el.svBreaches.textContent = String(today.breaches ?? 0);
  el.svBreaches.classList.toggle("bad", (today.breaches ?? 0) > 0);
  el.svHolding.textContent = String(today.holding_messages ?? 0);

  const near = Array.isArray(data.near_breach) ? data.near_breach : [];
  el.nearBody.replaceChildren(...near.map((row) => {
    const tr = document.createElement("tr");
    const conv = document.createElement("td");
    const open = document.createElement("button");
    open.type = "button";
    open.className = "btn btn-ghost btn-small";
    open.textContent = `#${idOf(row.conversation_id)}`;
    open.addEventListener("click", () => {
      showView("desk");
      select(idOf(row.conversation_id));
    });
    conv.appendChild(open);
    const who = document.createElement("td");
    who.textContent = personName(row.agent);
    const left = document.createElement("td");
    const seconds = Math.max(0, Math.ceil(Number(row.seconds_left) || 0));
    left.className = seconds < URGENT_S ? "left urgent" : "left";
    left.textContent = t("seconds", { s: seconds });
    tr.append(conv, who, left);
    return tr;
  }));
  el.nearEmpty.hidden = near.length > 0;

  el.agentsBody.replaceChildren(...state.agents.map((agent) => {
    const tr = document.createElement("tr");
    const cells = [agent.name, label("role_", agent.role), "", `${agent.load ?? 0} / ${agent.capacity ?? "?"}`];
    cells.forEach((text, i) => {
      const td = document.createElement("td");
      if (i === 2) {
        const tag = document.createElement("span");
        tag.className = `presence-tag ${agent.presence || "offline"}`;
        tag.textContent = label("presence_", agent.presence || "offline");
        td.appendChild(tag);
      } else {
        td.textContent = String(text ?? "");
      }
      tr.appendChild(td);
    });
    return tr;
  }));
}

// --- live updates over the WebSocket ---

function setConn(stateName) {
  el.conn.dataset.state = stateName;
  el.connText.textContent = t(stateName);
  el.conn.title = el.connText.textContent;
}

function onEvent(event) {
  if (event.type === "sla.alert") flash(event.conversation_id, event.seconds_left);
  if (event.type === "presence.changed") presenceChanged(event.presence, event.reason);
  if (event.type === "supervisor.alert" && isSupervisor()) {
    showAlert(t("supervisor_alert", { queued: event.queued, waited: Math.round(event.oldest_waited_s) }));
  }
  if (event.type === "conversation.assigned") {
    toast(t("assigned"));
    if (!state.selectedId && event.conversation_id !== undefined) select(idOf(event.conversation_id));
  }
  refreshSoon();
}

const socket = live(() => "/ws/agent", {
  onEvent,
  onState: (stateName) => {
    setConn(stateName);
    if (stateName === "online") refreshSoon(); // whatever happened while disconnected
    schedulePoll();
  },
  onDrop: () => api("GET", "/me").catch(() => {}), // a 401 here means the session ended: back to the login form
});

document.addEventListener("visibilitychange", () => {
  if (document.visibilityState === "visible" && state.me) refreshSoon();
});

// --- start: an existing session goes straight to the desk ---

async function start() {
  const csrf = loadCsrf();
  if (!csrf) {
    showLogin();
    return;
  }
  state.csrf = csrf;
  try {
    const data = await api("GET", "/me");
    enterConsole(data.agent);
  } catch (_) {
    state.csrf = null;
    saveCsrf(null);
    showLogin();
  }
}

start();
