// What the console's views share: the page's elements, the session's state, the JSON client (with the
// server's clock taken from every answer), names and times as staff read them, and `shell`, the few
// things the console's shell (console.js) does for a view, so that no view imports the shell.
import { ApiError, createApi, errorText as codeText } from "../lib/api.js";
import { idOf, pad } from "../lib/dom.js";
import { label, t } from "../lib/texts.js";

export const shell = {
  sessionExpired() {}, // the server said 401: back to the login form
  sessionReplaced() {}, // another login (or a logout) in this browser took the session from under this tab
  ownsSession: () => true, // whether the browser's session cookie is still this tab's login
  refreshSoon() {}, // something changed: reload what is shown
  typingPing(_conversationId) {}, // the agent is typing in that conversation (proves presence)
  openConversation() {}, // show the desk with this conversation
};

export const API = "/api/agent";
export const REQUEST_TIMEOUT_MS = 15000;
export const URGENT_S = 5;
export const TOAST_MS = 4000;

export const $ = (id) => document.getElementById(id);
export const el = {
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
  unsentBody: $("unsent-body"), unsentEmpty: $("unsent-empty"),
  forbiddenDialog: $("forbidden-dialog"), forbiddenPhrases: $("forbidden-phrases"),
  transferDialog: $("transfer-dialog"), transferTo: $("transfer-to"), transferNote: $("transfer-note"),
  toasts: $("toasts"),
  tplConv: $("tpl-conv"), tplQueue: $("tpl-queue"), tplMsg: $("tpl-msg"),
};

export const state = {
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

export const serverNow = () => Date.now() / 1000 + state.offset;
export const isSupervisor = () => Boolean(state.me) && (state.me.role === "supervisor" || state.me.role === "admin");
export const reasonLabel = (code) => state.reasons[code] ?? label("reason_", code);

// A moment from the server (an ISO-8601 string; epoch seconds are read too) as epoch seconds, or null.
export function seconds(moment) {
  if (typeof moment === "number") return Number.isFinite(moment) ? moment : null;
  const at = typeof moment === "string" ? Date.parse(moment) : NaN;
  return Number.isNaN(at) ? null : at / 1000;
}

export function formatTime(moment) {
  const at = seconds(moment);
  if (at === null) return "";
  const date = new Date(at * 1000);
  const now = new Date(serverNow() * 1000);
  const hm = `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
  if (date.toDateString() === now.toDateString()) return hm;
  return `${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${hm}`;
}

export function formatDuration(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 60) return t("seconds", { s });
  if (s < 3600) return t("minutes", { m: Math.floor(s / 60), s: pad(s % 60) });
  return t("hours", { h: Math.floor(s / 3600), m: pad(Math.floor((s % 3600) / 60)) });
}

export function rate(part, whole) {
  if (typeof whole !== "number" || whole <= 0) return "—";
  return `${((100 * (part || 0)) / whole).toFixed(1)}%`;
}

export function toast(text, kind = "") {
  const node = document.createElement("div");
  node.className = kind ? `toast ${kind}` : "toast";
  node.setAttribute("role", kind === "error" ? "alert" : "status");
  node.textContent = text;
  el.toasts.appendChild(node);
  setTimeout(() => node.remove(), TOAST_MS);
}

export function agentName(id) {
  const key = idOf(id);
  if (state.me && idOf(state.me.id) === key) return state.me.name;
  const agent = state.agents.find((a) => idOf(a.id) === key);
  return agent ? agent.name : t("agent_number", { id: key });
}

export function personName(author) {
  if (author && typeof author === "object") return author.name || agentName(author.id);
  const text = String(author ?? "");
  if (text.startsWith("agent:")) return agentName(text.slice(6));
  if (text === "system") return t("who_system");
  if (text === "bot") return t("who_bot");
  if (text === "customer") return t("who_customer");
  return text;
}

// --- the JSON API ---

const send = createApi({
  base: API,
  timeoutMs: REQUEST_TIMEOUT_MS,
  headers: (method) => (method !== "GET" && state.csrf ? { "X-CSRF-Token": state.csrf } : {}),
  onAnswer: (data, response) => {
    const now = data ? seconds(data.now) : null;
    if (now !== null) syncClock(now);
    else if (!state.offsetKnown) roughClock(response.headers.get("Date"));
  },
  onUnauthorized: (path) => {
    if (path !== "/login" && state.me) shell.sessionExpired();
  },
});

// Every request of the console and its panels. The session cookie is the browser's, not the tab's: once
// another tab has logged in (or out), nothing more leaves this tab, since it would run as that other
// account (or none) while the page still shows its own; a 403 `csrf_failed` says the same afterwards.
export async function api(method, path, body) {
  if (path !== "/login" && !shell.ownsSession()) {
    shell.sessionReplaced();
    throw new ApiError(401, { error: { code: "login_required" } });
  }
  try {
    return await send(method, path, body);
  } catch (error) {
    if (error instanceof ApiError && error.code === "csrf_failed") shell.sessionReplaced();
    throw error;
  }
}

export function syncClock(now) {
  state.offset = now - Date.now() / 1000;
  state.offsetKnown = true;
}

export function roughClock(header) {
  const at = header ? Date.parse(header) : NaN;
  if (Number.isNaN(at)) return;
  state.offset = at / 1000 + 0.5 - Date.now() / 1000;
  state.offsetRough = true;
}

// The server's error code in Chinese where the console has a label for it (`error_<code>`).
export function errorText(error) {
  if (error instanceof ApiError && error.status === 0) return t("network");
  return codeText(error, t("failed"));
}

export function conflictText(error) {
  if (error instanceof ApiError && error.status === 403) return t("denied");
  if (error instanceof ApiError && error.status === 409) return t("not_held");
  return errorText(error);
}

export const path = {
  conversation: (id) => `/conversations/${encodeURIComponent(id)}`,
};

export async function loadAgents() {
  try {
    const data = await api("GET", "/agents");
    state.agents = Array.isArray(data.agents) ? data.agents : [];
  } catch (_) {
    // names fall back to "agent #id"; the transfer list offers the supervisor only
  }
  return state.agents;
}
