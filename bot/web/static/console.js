// The agent console's behaviour: log in (cookie session plus a CSRF token echoed on every unsafe
// request), then a desk of queue, conversations, history and customer, refreshed from the JSON API
// whenever the agent WebSocket reports anything (and by a slow poll as a safety net). SLA countdowns
// are computed from each deadline and the server's clock (the `now` the API returns), so they agree
// with the server even when the agent's computer clock is wrong.
// This module is the console's shell: login and session, presence, the tabs, refreshing and the live
// connection. One module per view: console/desk.js, console/supervisor.js, and the tabs areas contribute
// (the after-sales 售后工单 among them), loaded by console/panels.js; what they share is console/core.js.
// The JSON client and the WebSocket are shared with the chat window (lib/api.js, lib/live.js); the
// wording comes from scripts_zh/console.yaml (lib/texts.js).
// Server and customer text is only ever put on the page with textContent.
import { ApiError } from "./lib/api.js";
import { idOf } from "./lib/dom.js";
import { live } from "./lib/live.js";
import { label, t } from "./lib/texts.js";
import { $, api, el, errorText, isSupervisor, loadAgents, shell, state, toast } from "./console/core.js";
import {
  flash, hashConversation, loadCanned, loadDetail, loadMine, loadQueue, renderMine, renderQueue, renderSelection,
  select, tick,
} from "./console/desk.js";
import { hidePanels, startPanels, stopPanels } from "./console/panels.js";
import { loadSupervisor } from "./console/supervisor.js";

const CSRF_KEY = "csbot.console.csrf";
const BROWSER_LOGIN_KEY = "csbot.console.login"; // localStorage: the browser's latest login
const TAB_LOGIN_KEY = "csbot.console.login.tab"; // sessionStorage: the login this tab shows
const REFRESH_DEBOUNCE_MS = 120;
const POLL_ONLINE_MS = 30000; // safety net while the WebSocket is up
const POLL_OFFLINE_MS = 5000; // while it is down
const SUPERVISOR_POLL_MS = 5000;
const TICK_MS = 250;
const TYPING_PING_MS = 10000; // typing proves presence; at most one ping this often

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

// --- one browser, one session: whose is it? ---
// The session cookie belongs to the browser, not to the tab: a login in another tab replaces it under
// this one, a logout there ends it. So each login marks the browser (localStorage, which every tab of
// the browser reads, and hears change at once through the `storage` event) with a new random id and
// the account, and the tab keeps the id of its own login (sessionStorage). Once they differ this tab
// sends nothing more (core.js `api`), leaves the console and says why on the login form: it never acts
// as another account, nor as none, while showing its own.

function browserLogin() { // the mark: { login, agent: { id, name } | null }, null without one, undefined unreadable
  try {
    const mark = JSON.parse(window.localStorage.getItem(BROWSER_LOGIN_KEY) || "null");
    return mark && typeof mark === "object" ? mark : null;
  } catch (_) {
    return undefined;
  }
}

function storedTabLogin() {
  try {
    return window.sessionStorage.getItem(TAB_LOGIN_KEY);
  } catch (_) {
    return null;
  }
}

let tabLogin = storedTabLogin(); // this tab's login id (kept over a reload); undefined: it could not be marked

function markLogin(login, agent = null) { // `agent` null: the login request is on its way
  try {
    const mark = { login, agent: agent && { id: agent.id, name: agent.name } };
    window.sessionStorage.setItem(TAB_LOGIN_KEY, login);
    window.localStorage.setItem(BROWSER_LOGIN_KEY, JSON.stringify(mark));
    tabLogin = login;
  } catch (_) { // storage disabled or full: the 403 csrf_failed and /me still tell
    forgetTabLogin();
    tabLogin = undefined;
  }
}

function forgetTabLogin() {
  tabLogin = null;
  try {
    window.sessionStorage.removeItem(TAB_LOGIN_KEY);
  } catch (_) {
    // nothing was stored
  }
}

function endBrowserLogin(owned = ownsSession()) { // this tab's session ended (logout, 401): so it did for the tabs sharing it
  try {
    if (owned) window.localStorage.removeItem(BROWSER_LOGIN_KEY);
  } catch (_) {
    // nothing was stored
  }
}

function newLoginId() {
  const bytes = window.crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

function ownsSession() {
  const mark = browserLogin();
  if (mark === undefined || tabLogin === undefined) return true; // cannot tell; the server's answers still can
  return (mark ? mark.login : null) === tabLogin;
}

// Why this tab left: the other login's account when known (another tab's mark, or /me), else that the
// session changed (a 403 csrf_failed says no more) or ended.
function replacedText(name) {
  const mark = browserLogin();
  const other = name || (!ownsSession() && mark && mark.agent && mark.agent.name);
  if (other) return t("session_replaced_by", { name: other });
  return mark === null ? t("session_logged_out_elsewhere") : t("session_replaced");
}

let replacedNotice = false; // the login form says why the tab left (updated when the other login completes)

function showReplaced(text) {
  showLogin(text);
  replacedNotice = true;
}

function sessionReplaced(name) {
  if (!state.me) return;
  const text = replacedText(name); // while the tab still knows its own login
  leaveConsole();
  showReplaced(text);
}

window.addEventListener("storage", (event) => {
  if (event.key !== BROWSER_LOGIN_KEY && event.key !== null) return; // null: the storage was cleared
  if (state.me && !ownsSession()) sessionReplaced();
  else if (replacedNotice && !state.me) el.loginError.textContent = replacedText();
});

// The account the server serves this tab's cookie for (GET /me), when the page may have missed a change.
async function checkAccount() {
  if (!state.me) return;
  try {
    const data = await api("GET", "/me");
    if (state.me && idOf(data.agent.id) !== idOf(state.me.id)) sessionReplaced(data.agent.name);
  } catch (_) {
    // a 401 has already shown the login form; a network error changes nothing
  }
}

function showLogin(message = "") {
  replacedNotice = false;
  el.consoleView.hidden = true;
  el.loginView.hidden = false;
  el.loginError.hidden = !message;
  el.loginError.textContent = message;
  el.loginSubmit.disabled = false;
  el.loginPassword.value = "";
  (el.loginName.value ? el.loginPassword : el.loginName).focus();
}

function sessionExpired() {
  endBrowserLogin();
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
  replacedNotice = false;
  const login = newLoginId();
  markLogin(login); // before the cookie changes: the other tabs stop sending now
  try {
    const data = await api("POST", "/login", { name, password });
    markLogin(login, data.agent);
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
    forgetTabLogin();
    el.loginError.textContent = message;
    el.loginError.hidden = false;
    el.loginPassword.select();
  } finally {
    el.loginSubmit.disabled = false;
  }
});

el.logout.addEventListener("click", async () => {
  const owned = ownsSession(); // the server's session.ended may leave the console before the answer comes
  try {
    await api("POST", "/logout", {});
  } catch (_) {
    // logged out locally either way
  }
  endBrowserLogin(owned);
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
  forgetTabLogin();
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

let lastTypingPing = { id: null, at: 0 };
function typingPing(conversationId) { // typing in that conversation; proves presence, restores "online"
  const now = Date.now();
  const id = Number(conversationId);
  if (!state.me || !Number.isInteger(id)) return;
  if (lastTypingPing.id === id && now - lastTypingPing.at < TYPING_PING_MS) return;
  lastTypingPing = { id, at: now };
  api("POST", "/typing", { conversation_id: id }).then((data) => {
    if (data.agent && state.me && data.agent.presence !== state.me.presence) presenceChanged(data.agent.presence);
  }).catch(() => {});
}

async function loadLabels() { // reason codes in Chinese, from the server (scripts_zh/labels.yaml)
  try {
    const data = await api("GET", "/api/labels");
    state.reasons = (data.labels && data.labels.reason) || {};
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

// --- live updates over the WebSocket ---

function setConn(stateName) {
  el.conn.dataset.state = stateName;
  el.connText.textContent = t(stateName);
  el.conn.title = el.connText.textContent;
}

function onEvent(event) {
  if (!state.me) return; // the console was left: nothing more is shown, nothing more is asked
  if (event.type === "session.ended") { // logged out here or in another tab, revoked, password reset
    const text = ownsSession() ? t("expired") : replacedText(); // the other tab's logout may not have said yet
    leaveConsole();
    showReplaced(text); // updated when another tab's logout then says so
    return;
  }
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

function agentSocketPath() { // the socket too would be the other account's
  if (!ownsSession()) {
    sessionReplaced();
    throw new Error("the browser's session is another tab's");
  }
  return "/ws/agent";
}

const socket = live(agentSocketPath, {
  onEvent,
  onState: (stateName) => {
    setConn(stateName);
    if (stateName === "online") refreshSoon(); // whatever happened while disconnected
    schedulePoll();
  },
  onDrop: checkAccount, // a 401 here means the session ended: back to the login form
});

document.addEventListener("visibilitychange", () => {
  if (document.visibilityState === "visible" && state.me) checkAccount().then(refreshSoon);
});

// --- start: an existing session goes straight to the desk ---

Object.assign(shell, {
  sessionExpired,
  sessionReplaced,
  ownsSession,
  refreshSoon,
  typingPing,
  openConversation(id) {
    showView("desk");
    select(id);
  },
});

async function start() {
  const csrf = loadCsrf();
  if (!csrf) {
    showLogin();
    return;
  }
  let replaced = ownsSession() ? "" : replacedText(); // reloaded after another tab logged in or out
  if (!replaced) {
    state.csrf = csrf;
    try {
      const data = await api("GET", "/me");
      const mark = browserLogin();
      if (!mark || !mark.agent || idOf(mark.agent.id) === idOf(data.agent.id)) {
        enterConsole(data.agent);
        return;
      }
      replaced = t("session_replaced_by", { name: data.agent.name }); // the cookie is someone else's
    } catch (_) {
      // the session ended: the login form
    }
  }
  state.csrf = null;
  saveCsrf(null);
  forgetTabLogin();
  if (replaced) showReplaced(replaced);
  else showLogin();
}

start();
