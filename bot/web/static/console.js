// The agent console's behaviour: log in (cookie session plus a CSRF token echoed on every unsafe
// request), then a desk of queue, conversations, history and customer, refreshed from the JSON API
// whenever the agent WebSocket reports anything (and by a slow poll as a safety net). SLA countdowns
// are computed from each deadline and the server's clock (the `now` the API returns), so they agree
// with the server even when the agent's computer clock is wrong.
// The 售后工单 tab lists after-sales cases (`/api/cases`, the same session and CSRF token): all open,
// stale (yesterday's leftovers, as the server decides in the shop's time zone) or mine; one case
// shows its facts, order, photos, history and only the next steps the API lists in `next_states`.
// Case events are not sent over the WebSocket, so the list and the stale count are polled slowly.
// Server and customer text is only ever put on the page with textContent.
"use strict";

(() => {
  const CSRF_KEY = "csbot.console.csrf";
  const API = "/api/agent";
  const REQUEST_TIMEOUT_MS = 15000;
  const REFRESH_DEBOUNCE_MS = 120;
  const POLL_ONLINE_MS = 30000; // safety net while the WebSocket is up
  const POLL_OFFLINE_MS = 5000; // while it is down
  const SUPERVISOR_POLL_MS = 5000;
  const CASES_POLL_MS = 60000; // case events do not come over the WebSocket
  const TICK_MS = 250;
  const URGENT_S = 5;
  const FLASH_MS = 6000;
  const TOAST_MS = 4000;
  const RECONNECT_BASE_MS = 1000;
  const RECONNECT_MAX_MS = 30000;
  const MAX_CHARS = 2000;
  const NARROW = "(max-width: 720px)"; // the columns are stacked (console.css)

  const TEXT = {
    loginEmpty: "请输入账号和密码",
    loginWrong: "账号或密码错误，请重新输入",
    loginLocked: "登录失败次数过多，请几分钟后再试",
    loginFailed: "登录失败，请稍后重试",
    expired: "登录已失效，请重新登录",
    network: "网络异常，请稍后重试",
    failed: "操作失败，请稍后重试",
    denied: "该会话已由其他客服接待，您没有查看权限。如需协助，请联系主管。",
    moved: "该会话已转由其他同事接待（转接或重新分配），您无需再处理。",
    missing: "该会话不存在或已结束。",
    loadFailed: "会话加载失败，请稍后重试。",
    takeConflict: "接入失败：您已达到接待上限，或该顾客已被其他客服接入",
    taken: "已接入会话",
    sent: "已发送",
    handedBack: "已交还机器人接待",
    transferred: "已转接",
    noteSaved: "交接记录已保存",
    noteEmpty: "请填写待解决问题或待办事项",
    tooLong: `消息太长了，请分几次发送（每条最多${MAX_CHARS}字）`,
    notMine: "该会话不由您接待，仅可查看",
    notHeld: "该会话已不在人工接待中，请刷新后再试",
    transferConflict: "转接失败：对方暂时无法接待（不在线或已满），会话仍由您接待",
    assigned: "有新的会话分配给您",
    overdue: "已超时",
    online: "实时连接正常",
    connecting: "连接中…",
    reconnecting: "重新连接中…",
    caseMoved: "工单已更新",
    caseAssigned: "负责人已更新",
    caseFlagged: "已上报初步鉴定",
    caseApproved: "已批准金额",
    caseNotAllowed: "该工单现在不能进行这一步（可能已被同事处理），已为您刷新到最新状态。",
    caseConflict: "工单刚刚被同事更新了，已为您刷新，请确认后再操作。",
    caseClosed: "该工单已结束，不能再操作。",
    caseRoleDenied: "抱歉，您的角色没有权限进行这一步，请联系主管处理。",
    caseNotYours: "该工单由其他同事负责，您只能认领或放下自己的工单。",
    caseNeedApproval: "金额超出您的处理权限，需要主管先批准该金额（或请主管处理）。",
    caseReasonNeeded: "请填写拒绝原因（会告知顾客）。",
    caseOutcomeNeeded: "请选择处理结果。",
    caseMethodNeeded: "请选择退款方式。",
    caseAmountNeeded: "请填写正确的金额（元，最多两位小数）。",
    caseAmountOver: "金额超过了该订单剩余可退的金额，请核对。",
    caseBadInput: "提交的内容有误，请检查后重试。",
    caseMissing: "该工单不存在（可能已被删除）。",
    caseLoadFailed: "工单加载失败，请稍后重试。",
    casesLoadFailed: "工单列表加载失败，请稍后重试。",
    caseSession: "登录状态异常，请刷新页面或重新登录。",
    setAway: "您有多位顾客的消息超时未回复，系统已将您设为「离开」，暂不分配新会话。回到座位请点击「我回来了」。",
    setOffline: "您已离线，不会再分配新会话。",
    selfAway: "您已设为「离开」，暂不分配新会话。回来后请点击「我回来了」。",
    awayTitle: "【请回到座位】",
    backOnline: "已恢复在线",
    supervisorAlert: (e) => `有 ${e.queued} 位顾客排队超过 ${Math.round(e.oldest_waited_s)} 秒，当前没有客服能接待，请安排人手。`,
    sendsLeft: (n) => `（微信可再发 ${n} 条）`,
  };
  const ROLE = { agent: "客服", supervisor: "主管", admin: "管理员" };
  const PRESENCE = { online: "在线", away: "离开", offline: "离线" };
  const CHANNEL = { webchat: "网页咨询", wechat: "微信公众号", terminal: "终端" };
  const STATUS = {
    queued: "排队中", waiting: "排队中", assigned: "人工接待中", agent: "人工接待中", handoff: "人工接待中",
    human: "人工接待中", held: "人工接待中", bot: "机器人接待", closed: "已结束", supervisor: "待主管处理",
  };
  const REASON = {
    human: "顾客要求人工", human_requested: "顾客要求人工", complaint: "投诉", unknown: "机器人无法解答",
    unknown_twice: "机器人无法解答", repeated_unknown: "机器人无法解答", vip: "VIP 顾客",
    after_sales: "售后需人工", transfer: "转接", reassigned: "重新分配", breach: "超时重新分配",
  };
  const SLA_KIND = { greeting: "问候倒计时", reply: "回复倒计时" };
  const TYPING_PING_MS = 10000; // typing proves presence; at most one ping this often
  // after-sales words for staff (handlers/after_sales/machine.py names, docs/rules.md R-CASE-3)
  const CASE_KIND = {
    track: "查件", extend: "延长收货", damaged: "破损", missing: "补货", exchange: "换货", return: "退货",
    refund: "退款", rights: "维权",
  };
  const CASE_STATE = {
    requested: "前期沟通", approved: "商家已确认", awaiting_return: "待寄回", received: "已收货",
    inspected: "已检查", resolved: "已解决", rejected: "已拒绝", cancelled: "已取消",
  };
  const CASE_STEP = { // the button that moves a case to that state
    approved: "确认受理", awaiting_return: "等待寄回", received: "确认收到退货", inspected: "检查完毕",
    resolved: "处理完成", rejected: "拒绝", cancelled: "取消工单",
  };
  const OUTCOME = {
    refunded: "退款", compensated: "补偿", exchanged: "换货", reshipped: "补发", extended: "延长收货", answered: "已答复",
  };
  // not in the API (only next_states is): mirrors OUTCOMES_BY_KIND in handlers/after_sales/machine.py
  const OUTCOMES_BY_KIND = {
    track: ["answered", "reshipped", "refunded"], extend: ["extended", "answered"],
    damaged: ["refunded", "compensated", "exchanged", "reshipped"], missing: ["reshipped", "refunded", "compensated"],
    exchange: ["exchanged", "refunded"], return: ["refunded"], refund: ["refunded", "compensated"],
    rights: ["refunded", "compensated", "exchanged", "reshipped", "answered"],
  };
  const MONEY_OUTCOMES = new Set(["refunded", "compensated"]);
  const REFUND_METHOD = { original: "原路退回", balance: "账户余额", gift_card: "礼品卡", alipay: "支付宝" };
  const ORDER_STATUS = {
    pending: "待付款", paid: "已付款", shipped: "已发货", received: "已收货", closed: "已关闭", refunded: "已退款",
  };
  const ESCALATION = { rights_claim: "维权，已转人工", refund_over_limit: "退款金额较大，已转人工" };

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
    tplConv: $("tpl-conv"), tplQueue: $("tpl-queue"), tplMsg: $("tpl-msg"), tplCase: $("tpl-case"),
    tabCases: $("tab-cases"), casesBadge: $("cases-badge"), casesView: $("cases-view"),
    casesFilter: $("cases-filter"), casesStaleCount: $("cases-stale-count"), casesHint: $("cases-hint"),
    casesList: $("cases-list"), casesEmpty: $("cases-empty"), casesCount: $("cases-count"),
    casesLoadError: $("cases-load-error"), casePane: $("case-pane"), casePlaceholder: $("case-placeholder"),
    casePlaceholderText: $("case-placeholder-text"), caseDetail: $("case-detail"), caseNo: $("case-no"),
    caseKind: $("case-kind"), caseStep: $("case-step"), caseStale: $("case-stale"), caseReview: $("case-review"),
    caseReload: $("case-reload"), caseFacts: $("case-facts"), caseOrder: $("case-order"),
    caseOrderEmpty: $("case-order-empty"), casePhotosSection: $("case-photos-section"), casePhotos: $("case-photos"),
    caseNext: $("case-next"), caseClosed: $("case-closed"), caseMore: $("case-more"), caseForm: $("case-form"),
    caseFormTitle: $("case-form-title"), caseOutcomeField: $("case-outcome-field"), caseOutcome: $("case-outcome"),
    caseMethodField: $("case-method-field"), caseMethod: $("case-method"), caseAmountField: $("case-amount-field"),
    caseAmount: $("case-amount"), caseAssigneeField: $("case-assignee-field"), caseAssignee: $("case-assignee"),
    caseReasonField: $("case-reason-field"), caseReasonLabel: $("case-reason-label"), caseReason: $("case-reason"),
    caseError: $("case-error"), caseCancel: $("case-cancel"), caseSubmit: $("case-submit"), caseEvents: $("case-events"),
  };

  const state = {
    me: null,
    csrf: null,
    offset: 0, // server epoch seconds minus this browser's
    offsetKnown: false, // from a `now` in an answer (exact); countdowns wait for it
    offsetRough: false, // from an HTTP Date header (to the second): enough for "waited 3分"
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
    caseFilter: "open", // open | stale | mine
    cases: [], // the list shown
    staleNos: new Set(), // case numbers the server calls stale (?stale=1)
    caseNo: null, // the selected case
    caseDetail: null, // the last GET /api/cases/{case_no} answer for caseNo
    caseOrder: null, // GET /api/orders/{order_no} for it
    caseAction: null, // {type: "transition", to} | {type: "flag"} | {type: "approval"} | {type: "assign"}
    caseBusy: false,
  };

  // --- helpers ---

  const pad = (n) => String(n).padStart(2, "0");
  const idOf = (value) => (value === null || value === undefined ? "" : String(value));
  const serverNow = () => Date.now() / 1000 + state.offset;
  const isSupervisor = () => Boolean(state.me) && (state.me.role === "supervisor" || state.me.role === "admin");
  const label = (map, key) => (key in map ? map[key] : String(key ?? ""));

  function seconds(moment) { // the API's ISO-8601 timestamps (epoch seconds still accepted)
    return typeof moment === "number" ? moment : isoSeconds(moment);
  }

  function formatTime(moment) {
    const epochSeconds = seconds(moment);
    if (epochSeconds === null || !Number.isFinite(epochSeconds)) return "";
    const date = new Date(epochSeconds * 1000);
    const now = new Date(serverNow() * 1000);
    const hm = `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
    if (date.toDateString() === now.toDateString()) return hm;
    return `${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${hm}`;
  }

  function formatDuration(seconds) {
    const s = Math.max(0, Math.floor(seconds));
    if (s < 60) return `${s}秒`;
    if (s < 3600) return `${Math.floor(s / 60)}分${pad(s % 60)}秒`;
    return `${Math.floor(s / 3600)}小时${pad(Math.floor((s % 3600) / 60))}分`;
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
    return agent ? agent.name : `客服 #${key}`;
  }

  function personName(author) {
    if (author && typeof author === "object") return author.name || agentName(author.id);
    const text = String(author ?? "");
    if (text.startsWith("agent:")) return agentName(text.slice(6));
    if (text === "system") return "系统";
    if (text === "bot") return "机器人";
    if (text === "customer") return "顾客";
    return text;
  }

  // --- the JSON API ---

  class ApiError extends Error {
    constructor(status, body) {
      super(`HTTP ${status}`);
      this.status = status;
      this.body = body;
    }
  }

  async function api(method, path, body) {
    const headers = { Accept: "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (method !== "GET" && state.csrf) headers["X-CSRF-Token"] = state.csrf;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), REQUEST_TIMEOUT_MS);
    let response;
    try {
      response = await fetch(path.startsWith("/api/") ? path : API + path, {
        method, headers, credentials: "same-origin", cache: "no-store", signal: controller.signal,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (_) {
      throw new ApiError(0, null);
    } finally {
      clearTimeout(timer);
    }
    let data = null;
    try {
      data = await response.json();
    } catch (_) {
      // an empty or non-JSON body (a proxy's error page): the status says enough
    }
    if (data && seconds(data.now) !== null) syncClock(seconds(data.now));
    else if (!state.offsetKnown) roughClock(response.headers.get("Date"));
    if (response.status === 401 && path !== "/login" && state.me) {
      sessionExpired();
    }
    if (!response.ok) throw new ApiError(response.status, data);
    return data || {};
  }

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

  function errorText(error) {
    if (error instanceof ApiError && error.status === 0) return TEXT.network;
    return TEXT.failed;
  }

  function conflictText(error) {
    if (error instanceof ApiError && error.status === 403) return TEXT.denied;
    if (error instanceof ApiError && error.status === 409) return TEXT.notHeld;
    return errorText(error);
  }

  const path = {
    conversation: (id) => `/conversations/${encodeURIComponent(id)}`,
    cases: "/api/cases",
    case: (no) => `/api/cases/${encodeURIComponent(no)}`,
    order: (no) => `/api/orders/${encodeURIComponent(no)}`,
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
    showLogin(TEXT.expired);
  }

  el.loginForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const name = el.loginName.value.trim();
    const password = el.loginPassword.value;
    if (!name || !password) {
      el.loginError.textContent = TEXT.loginEmpty;
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
      let message = TEXT.loginFailed;
      if (error instanceof ApiError) {
        if (error.status === 401) message = TEXT.loginWrong;
        else if (error.status === 429) message = TEXT.loginLocked;
        else if (error.status === 400) message = TEXT.loginEmpty;
        else if (error.status === 0) message = TEXT.network;
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
  let casesPoller = 0;

  function renderMe() {
    const me = state.me;
    el.meName.textContent = me.name;
    el.meRole.textContent = label(ROLE, me.role);
    for (const button of el.presence.querySelectorAll(".presence-btn")) {
      button.setAttribute("aria-pressed", String(button.dataset.presence === me.presence));
    }
    el.tabSupervisor.hidden = !isSupervisor();
    document.title = `客服工作台 - ${me.name}`;
  }

  function enterConsole(agent) {
    state.me = agent;
    el.loginView.hidden = true;
    el.consoleView.hidden = false;
    renderMe();
    showView("desk");
    renderSelection();
    connect();
    loadCanned();
    loadAgents();
    loadLabels();
    refreshNow();
    clearInterval(ticker);
    ticker = setInterval(tick, TICK_MS);
    schedulePoll();
    loadStale();
    clearInterval(casesPoller);
    casesPoller = setInterval(pollCases, CASES_POLL_MS);
    const fromHash = hashConversation();
    if (fromHash) select(fromHash);
    window.csbotConsoleReady = { me: agent, csrf: state.csrf }; // for console_panels.js if it loads later
    document.dispatchEvent(new CustomEvent("csbot:console-ready", { detail: window.csbotConsoleReady }));
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
    clearInterval(casesPoller);
    clearInterval(titleFlasher);
    presenceBanner.hidden = true;
    alertBanner.hidden = true;
    resetCases();
    disconnect();
    for (const dialog of [el.forbiddenDialog, el.transferDialog]) if (dialog.open) dialog.close();
    // nothing of this session stays on the page for whoever logs in next
    renderQueue();
    renderMine();
    el.history.replaceChildren();
    renderSelection();
    if (window.location.hash) window.history.replaceState(null, "", window.location.pathname);
    document.title = "客服工作台";
  }

  // --- presence ---

  el.presence.addEventListener("click", async (event) => {
    const button = event.target.closest(".presence-btn");
    if (!button || !state.me) return;
    const held = state.mine.filter((c) => c.assignee && idOf(c.assignee.id) === idOf(state.me.id)).length;
    if (button.dataset.presence === "offline" && held > 0 &&
        !window.confirm(`您还有 ${held} 个会话在接待中，下线后将转给其他客服。确定下线吗？`)) {
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
    const away = reason === "self" ? TEXT.selfAway : TEXT.setAway;
    $("presence-banner-text").textContent = presence === "away" ? away : TEXT.setOffline;
    presenceBanner.hidden = false;
    if (reason === "self") return;
    const title = document.title;
    let on = false;
    titleFlasher = setInterval(() => {
      on = !on;
      document.title = on ? TEXT.awayTitle : title;
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
      toast(TEXT.backOnline);
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
      const data = await api("GET", "/api/labels");
      Object.assign(REASON, (data.labels && data.labels.reason) || {});
    } catch (_) {
      // the built-in labels stay
    }
  }

  // --- views (desk / supervisor) ---

  function showView(view) {
    if (view === "supervisor" && isSupervisor()) state.view = "supervisor";
    else if (view === "cases") state.view = "cases";
    else state.view = "desk";
    el.deskView.hidden = state.view !== "desk";
    el.supervisorView.hidden = state.view !== "supervisor";
    el.casesView.hidden = state.view !== "cases";
    for (const tab of el.tabs.querySelectorAll(".tab")) {
      tab.setAttribute("aria-pressed", String(tab.dataset.view === state.view));
    }
    clearInterval(supervisorPoller);
    if (state.view === "supervisor") {
      loadSupervisor();
      supervisorPoller = setInterval(loadSupervisor, SUPERVISOR_POLL_MS);
    }
    if (state.view === "cases") loadCases();
  }

  el.tabs.addEventListener("click", (event) => {
    const tab = event.target.closest(".tab");
    if (tab) showView(tab.dataset.view);
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

  // Lists are rebuilt on every refresh; a keyboard user's focus moves to the rebuilt entry.
  function focusedIn(list, selector) {
    const active = document.activeElement;
    const entry = active && list.contains(active) ? active.closest(selector) : null;
    return entry ? entry.dataset.id : null;
  }

  function refocus(list, selector, id, control) {
    if (id === null) return;
    const entry = [...list.querySelectorAll(selector)].find((node) => node.dataset.id === id);
    const target = entry && entry.querySelector(control);
    if (target && !target.disabled) target.focus();
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
      node.querySelector(".conv-label").textContent = customer.label || "顾客";
      node.querySelector(".vip-badge").hidden = !customer.vip;
      node.querySelector(".queue-reason").textContent = label(REASON, entry.reason || "human");
      node.querySelector(".queue-channel").textContent = label(CHANNEL, customer.channel || "");
      const waited = node.querySelector(".waited");
      if (seconds(entry.waiting_since) !== null) waited.dataset.since = String(seconds(entry.waiting_since));
      const take = node.querySelector(".take");
      take.setAttribute("aria-label", `接入 ${customer.label || "顾客"}`);
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
      toast(TEXT.taken);
      select(id);
      refreshSoon();
    } catch (error) {
      button.disabled = false;
      if (error instanceof ApiError && error.status === 401) return;
      toast(error instanceof ApiError && error.status === 409 ? TEXT.takeConflict : errorText(error), "error");
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
      node.querySelector(".conv-label").textContent = customer.label || "顾客";
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
    const due = sla ? seconds(sla.due_at) : null;
    if (due === null) {
      delete node.dataset.due;
      node.textContent = "";
      node.title = "";
      return;
    }
    node.dataset.due = String(due);
    node.title = label(SLA_KIND, sla.kind || "reply");
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
      node.textContent = left > 0 ? `${shown}秒` : TEXT.overdue;
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
    const left = typeof secondsLeft === "number" ? `，剩余 ${Math.max(0, Math.ceil(secondsLeft))} 秒` : "";
    toast(`${who ? `${who} ` : ""}等待回复即将超时${left}`, "error");
  }

  function applyFlash() {
    for (const node of el.mineList.querySelectorAll(".conv")) {
      node.classList.toggle("flash", state.flashUntil.has(node.dataset.id));
    }
    el.chatHead.classList.toggle("flash", Boolean(state.selectedId) && state.flashUntil.has(state.selectedId));
    if (state.me) document.title = `${state.flashUntil.size ? "【即将超时】" : ""}客服工作台 - ${state.me.name}`;
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
      if (error.status === 403) renderSelection("", wasOpen ? TEXT.moved : TEXT.denied);
      else if (error.status === 404) renderSelection("", TEXT.missing);
      else if (error.status === 0 && el.chatMain.hidden === false) toast(TEXT.network, "error");
      else renderSelection("", TEXT.loadFailed);
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
    else $("chat-placeholder-text").textContent = "从左侧选择一个会话，或接入排队中的顾客";
    if (!showChat) return;

    const conversation = detail.conversation;
    const customer = conversation.customer || {};
    const assignee = conversation.assignee;
    const mine = Boolean(assignee && state.me && idOf(assignee.id) === idOf(state.me.id));

    el.chatCustomer.textContent = customer.label || "顾客";
    el.chatVip.hidden = !customer.vip;
    el.chatStatus.textContent = label(STATUS, conversation.status || "");
    const sla = conversation.sla;
    el.chatClock.hidden = !(sla && seconds(sla.due_at) !== null);
    el.chatSlaKind.textContent = sla ? label(SLA_KIND, sla.kind || "reply") : "";
    if (typeof conversation.sends_left === "number") el.chatSlaKind.textContent += TEXT.sendsLeft(conversation.sends_left);
    setCountdown(el.chatCountdown, sla);

    renderHistory(Array.isArray(detail.messages) ? detail.messages : [], customer.label);

    el.replyInput.disabled = !mine;
    el.replyInput.placeholder = mine ? "输入回复，Enter 发送，Shift+Enter 换行" : TEXT.notMine;
    el.cannedToggle.disabled = !mine;
    el.handBack.disabled = !mine;
    el.transferOpen.disabled = !(mine || isSupervisor());
    refreshSendButton();

    el.profileLabel.textContent = customer.label || "—";
    el.profileChannel.textContent = customer.channel ? label(CHANNEL, customer.channel) : "—";
    el.profileVip.textContent = customer.vip ? "VIP 会员" : "普通顾客";
    el.profilePhone.textContent = customer.phone_masked || "未留手机号";
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
    if (kind === "msg-customer") who = customerLabel || "顾客";
    if (kind === "msg-bot") who = "机器人";
    if (kind === "msg-agent") who = `${state.me.name}（我）`;
    node.querySelector(".who").textContent = who;
    const time = node.querySelector(".msg-time");
    time.textContent = formatTime(message.created_at);
    if (seconds(message.created_at) !== null) time.dateTime = new Date(seconds(message.created_at) * 1000).toISOString();
    const text = String(message.text ?? "");
    node.querySelector(".bubble").textContent =
      kind === "msg-system" && message.direction === "out" ? `系统代发：${text}` : text;
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
      for (const [title, value] of [["待解决问题", note.open_questions], ["待办事项", note.pending]]) {
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
      toast(TEXT.tooLong, "error");
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
      const problem = error instanceof ApiError && error.body && error.body.error;
      if (error.status === 409 && problem && (problem.code || problem) === "forbidden_language") {
        const phrases = problem.phrases || error.body.phrases;
        warnForbidden(text, Array.isArray(phrases) ? phrases : []);
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
      toast(TEXT.handedBack);
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
      // names fall back to "客服 #id"; the transfer list offers the supervisor only
    }
    return state.agents;
  }

  function fillTransferTargets() {
    const previous = el.transferTo.value;
    const options = [];
    const toSupervisor = document.createElement("option");
    toSupervisor.value = "supervisor";
    toSupervisor.textContent = "主管（由主管处理或分配）";
    options.push(toSupervisor);
    const assignee = state.detail && state.detail.conversation ? state.detail.conversation.assignee : null;
    let preferred = null;
    for (const agent of state.agents) {
      if (state.me && idOf(agent.id) === idOf(state.me.id)) continue;
      if (assignee && idOf(agent.id) === idOf(assignee.id)) continue;
      const option = document.createElement("option");
      option.value = idOf(agent.id);
      const load = typeof agent.load === "number" ? ` ${agent.load}/${agent.capacity ?? "?"}` : "";
      option.textContent = `${agent.name}（${label(PRESENCE, agent.presence || "offline")}${load}）`;
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
      toast(TEXT.transferred);
      if (state.selectedId === id && !isSupervisor()) unselect();
      refreshSoon();
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 401)) {
        toast(error instanceof ApiError && error.status === 409 ? TEXT.transferConflict : conflictText(error), "error");
      }
    }
  });

  el.noteForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const id = state.selectedId;
    const body = { open_questions: el.noteQuestions.value.trim(), pending: el.notePending.value.trim() };
    if (!id) return;
    if (!body.open_questions && !body.pending) {
      toast(TEXT.noteEmpty, "error");
      return;
    }
    el.noteSave.disabled = true;
    try {
      await api("POST", `${path.conversation(id)}/notes`, body);
      el.noteQuestions.value = "";
      el.notePending.value = "";
      toast(TEXT.noteSaved);
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
    el.svReplySub.textContent = `${answered} / ${asked} 条消息`;
    el.svGreetRate.textContent = rate(reached, handovers);
    el.svGreetSub.textContent = `${reached} / ${handovers} 次问候`;
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
      left.textContent = `${seconds}秒`;
      tr.append(conv, who, left);
      return tr;
    }));
    el.nearEmpty.hidden = near.length > 0;

    el.agentsBody.replaceChildren(...state.agents.map((agent) => {
      const tr = document.createElement("tr");
      const cells = [agent.name, label(ROLE, agent.role), "", `${agent.load ?? 0} / ${agent.capacity ?? "?"}`];
      cells.forEach((text, i) => {
        const td = document.createElement("td");
        if (i === 2) {
          const tag = document.createElement("span");
          tag.className = `presence-tag ${agent.presence || "offline"}`;
          tag.textContent = label(PRESENCE, agent.presence || "offline");
          td.appendChild(tag);
        } else {
          td.textContent = String(text ?? "");
        }
        tr.appendChild(td);
      });
      return tr;
    }));
  }

  // --- after-sales cases (售后工单) ---

  const CLOSED_STATES = new Set(["resolved", "rejected", "cancelled"]);
  const CASE_EMPTY = { open: "暂无未结工单", stale: "没有遗留工单", mine: "您名下暂无未结工单" };
  let casesSeq = 0; // a slower answer for an earlier filter is dropped

  const isStale = (no) => state.staleNos.has(String(no));
  const ownerName = (id) => (id === null || id === undefined ? "未分配" : agentName(id));

  function isoSeconds(text) {
    const at = typeof text === "string" ? Date.parse(text) : NaN;
    return Number.isNaN(at) ? null : at / 1000;
  }

  function formatIso(text) {
    const seconds = isoSeconds(text);
    return seconds === null ? "—" : formatTime(seconds);
  }

  function setTime(node, text) {
    const seconds = isoSeconds(text);
    node.textContent = seconds === null ? "—" : formatTime(seconds);
    if (seconds !== null) node.dateTime = new Date(seconds * 1000).toISOString();
  }

  function yuan(fen) {
    if (typeof fen !== "number" || !Number.isFinite(fen)) return "—";
    const whole = Math.trunc(Math.abs(fen));
    return `${fen < 0 ? "-" : ""}¥${Math.floor(whole / 100)}.${pad(whole % 100)}`;
  }

  // "59", "59.5", "¥1299.00" → fen; null when it is not a positive amount with at most 2 decimals
  function parseYuan(text) {
    const match = /^\s*[¥￥]?\s*(\d{1,9})(?:\.(\d{1,2}))?\s*$/.exec(String(text ?? ""));
    if (!match) return null;
    const fen = Number(match[1]) * 100 + Number((match[2] || "").padEnd(2, "0"));
    return fen > 0 ? fen : null;
  }

  function actorName(actor) {
    const text = String(actor ?? "");
    if (text.startsWith("agent:")) return agentName(text.slice(6));
    if (text.startsWith("customer:")) return "顾客";
    if (text === "system") return "系统";
    return text || "—";
  }

  function itemText(item) {
    if (!item || typeof item !== "object") return "";
    const qty = typeof item.qty === "number" ? ` ×${item.qty}` : "";
    return `${item.name || item.sku || "商品"}${qty}`;
  }

  function renderStaleCount() {
    const count = state.staleNos.size;
    el.casesBadge.textContent = String(count);
    el.casesBadge.hidden = count === 0;
    el.casesStaleCount.textContent = count ? String(count) : "";
    el.tabCases.setAttribute("aria-label", count ? `售后工单（${count} 个遗留）` : "售后工单");
  }

  async function fetchStale() {
    const data = await api("GET", `${path.cases}?stale=1`);
    const cases = Array.isArray(data.cases) ? data.cases : [];
    state.staleNos = new Set(cases.map((c) => String(c.case_no)));
    renderStaleCount();
    return cases;
  }

  async function loadStale() {
    if (!state.me) return;
    try {
      await fetchStale();
    } catch (_) {
      // the badge keeps its last count; the next poll tries again
    }
  }

  async function loadCases() {
    if (!state.me) return;
    const seq = ++casesSeq;
    const filter = state.caseFilter;
    try {
      const query = filter === "mine" ? "?state=open&assignee=me&limit=200" : "?state=open&limit=200";
      const [stale, listed] = await Promise.all([
        fetchStale(),
        filter === "stale" ? null : api("GET", path.cases + query),
        loadAgents(), // owners' names
      ]);
      if (seq !== casesSeq || !state.me) return;
      let cases = filter === "stale" ? stale : Array.isArray(listed.cases) ? listed.cases : [];
      if (filter !== "stale") {
        // most recently touched first, as the server sorts them, but yesterday's leftovers on top
        cases = [...cases.filter((c) => isStale(c.case_no)), ...cases.filter((c) => !isStale(c.case_no))];
      }
      state.cases = cases;
      el.casesLoadError.hidden = true;
      renderCases();
    } catch (error) {
      if (seq !== casesSeq || !(error instanceof ApiError) || error.status === 401) return;
      el.casesLoadError.textContent = error.status === 0 ? TEXT.network : TEXT.casesLoadFailed;
      el.casesLoadError.hidden = false;
    }
    if (state.caseNo && !state.caseBusy) loadCase(state.caseNo);
  }

  function pollCases() {
    if (!state.me) return;
    if (state.view === "cases" && document.visibilityState === "visible") loadCases();
    else loadStale();
  }

  function renderCases() {
    const items = state.cases.map((c) => {
      const node = el.tplCase.content.firstElementChild.cloneNode(true);
      const no = String(c.case_no ?? "");
      const stale = isStale(no);
      node.dataset.id = no;
      node.classList.toggle("stale", stale);
      node.classList.toggle("selected", no === state.caseNo);
      node.querySelector(".case-item-no").textContent = no;
      node.querySelector(".case-item-kind").textContent = label(CASE_KIND, c.kind);
      node.querySelector(".tag-stale").hidden = !stale;
      node.querySelector(".tag-review").hidden = !c.immediate_review;
      node.querySelector(".case-item-order").textContent = String(c.order_no ?? "");
      node.querySelector(".case-item-step").textContent = label(CASE_STATE, c.state);
      node.querySelector(".case-item-owner").textContent = ownerName(c.assignee_id);
      setTime(node.querySelector(".case-item-time"), c.touched_at);
      const button = node.querySelector(".case-btn");
      if (no === state.caseNo) button.setAttribute("aria-current", "true");
      button.addEventListener("click", () => {
        selectCase(no);
        if (window.matchMedia(NARROW).matches) el.casePane.scrollIntoView({ block: "start" });
      });
      return node;
    });
    const focused = focusedIn(el.casesList, ".case-item");
    el.casesList.replaceChildren(...items);
    refocus(el.casesList, ".case-item", focused, ".case-btn");
    el.casesEmpty.textContent = CASE_EMPTY[state.caseFilter] || CASE_EMPTY.open;
    el.casesEmpty.hidden = items.length > 0;
    el.casesCount.textContent = String(items.length);
    el.casesHint.hidden = state.caseFilter !== "stale";
  }

  el.casesFilter.addEventListener("click", (event) => {
    const button = event.target.closest(".seg-btn");
    if (!button || button.dataset.filter === state.caseFilter) return;
    state.caseFilter = button.dataset.filter;
    for (const node of el.casesFilter.querySelectorAll(".seg-btn")) {
      node.setAttribute("aria-pressed", String(node === button));
    }
    state.cases = [];
    renderCases();
    el.casesEmpty.textContent = "加载中…";
    loadCases();
  });

  // --- one case ---

  function selectCase(no) {
    if (no !== state.caseNo) {
      state.caseNo = no;
      state.caseDetail = null;
      state.caseOrder = null;
      closeCaseForm();
      showCaseError("");
      renderCaseDetail();
    }
    for (const node of el.casesList.querySelectorAll(".case-item")) {
      const selected = node.dataset.id === no;
      node.classList.toggle("selected", selected);
      const button = node.querySelector(".case-btn");
      if (selected) button.setAttribute("aria-current", "true");
      else button.removeAttribute("aria-current");
    }
    loadCase(no);
  }

  async function loadCase(no) {
    try {
      const data = await api("GET", path.case(no));
      if (state.caseNo !== no) return;
      state.caseDetail = data;
      renderCaseDetail();
      loadOrder(no, data.order_no);
    } catch (error) {
      if (state.caseNo !== no || !(error instanceof ApiError) || error.status === 401) return;
      if (error.status === 0 && state.caseDetail) {
        toast(TEXT.network, "error");
        return;
      }
      state.caseDetail = null;
      renderCaseDetail(error.status === 404 ? TEXT.caseMissing : TEXT.caseLoadFailed);
    }
  }

  async function loadOrder(no, orderNo) {
    if (!orderNo) return;
    let order = false;
    try {
      order = await api("GET", path.order(orderNo));
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) return;
    }
    if (state.caseNo !== no) return;
    state.caseOrder = order;
    renderOrder();
  }

  function facts(list, pairs) {
    const nodes = [];
    for (const [term, value] of pairs) {
      if (value === null || value === undefined || value === "") continue;
      const dt = document.createElement("dt");
      dt.textContent = term;
      const dd = document.createElement("dd");
      dd.textContent = String(value);
      nodes.push(dt, dd);
    }
    list.replaceChildren(...nodes);
  }

  function renderCaseDetail(message = "") {
    const c = state.caseDetail;
    el.caseDetail.hidden = !c;
    el.casePlaceholder.hidden = Boolean(c);
    el.casePlaceholderText.textContent = message || (state.caseNo ? "加载中…" : "从左侧选择一个工单查看详情");
    if (!c) return;
    el.caseNo.textContent = String(c.case_no ?? "");
    el.caseKind.textContent = label(CASE_KIND, c.kind);
    el.caseStep.textContent = label(CASE_STATE, c.state);
    el.caseStep.dataset.state = String(c.state ?? "");
    el.caseStale.hidden = !isStale(c.case_no);
    el.caseReview.hidden = !c.immediate_review;

    let result = c.outcome ? label(OUTCOME, c.outcome) : "";
    if (result && c.refund_method) result += ` · ${label(REFUND_METHOD, c.refund_method)}`;
    if (result && typeof c.amount_fen === "number") result += ` · ${yuan(c.amount_fen)}`;
    facts(el.caseFacts, [
      ["订单号", c.order_no],
      ["负责人", ownerName(c.assignee_id)],
      ["商品", c.item ? itemText(c.item) : "整个订单"],
      ["顾客描述", c.description],
      ["期望换成", c.wanted],
      ["申请金额", typeof c.requested_fen === "number" ? yuan(c.requested_fen) : null],
      ["转人工", c.escalation ? label(ESCALATION, c.escalation) : null],
      ["主管已批准", typeof c.approved_fen === "number" ? yuan(c.approved_fen) : null],
      ["处理结果", result],
      ["拒绝原因", c.reject_reason],
      ["提交时间", formatIso(c.created_at)],
      ["最后处理", formatIso(c.touched_at)],
      ["完成时间", c.resolved_at ? formatIso(c.resolved_at) : null],
      ["回访时间", c.satisfaction_due_at ? formatIso(c.satisfaction_due_at) : null],
    ]);
    renderOrder();
    renderPhotos(Array.isArray(c.photos) ? c.photos : []);
    renderCaseActions(c);
    renderEvents(Array.isArray(c.events) ? c.events : []);
  }

  function renderOrder() {
    const order = state.caseOrder;
    el.caseOrderEmpty.hidden = order !== false;
    if (!order) {
      el.caseOrder.replaceChildren();
      return;
    }
    const items = Array.isArray(order.items) ? order.items.map(itemText).filter(Boolean).join("、") : "";
    const events = Array.isArray(order.tracking_events) ? order.tracking_events : [];
    const last = events.length ? events[events.length - 1] : null;
    const parcel = [order.courier, order.tracking_no].filter(Boolean).join(" ");
    facts(el.caseOrder, [
      ["商品", items],
      ["金额", typeof order.total_fen === "number" ? yuan(order.total_fen) : null],
      ["已退款", order.refunded_fen ? yuan(order.refunded_fen) : null],
      ["状态", order.status ? label(ORDER_STATUS, order.status) : null],
      ["付款时间", order.paid_at ? formatIso(order.paid_at) : null],
      ["物流", parcel],
      ["最新物流", last ? `${formatIso(last.at)} ${last.status ?? ""}` : null],
      ["签收时间", order.received_at ? formatIso(order.received_at) : null],
      ["确认收货截止", order.receipt_due_at ? formatIso(order.receipt_due_at) : null],
    ]);
  }

  // Photos of the shop's own uploads are same-origin (and need the staff cookie); anything else is
  // only offered as a link, since the page loads nothing from other sites.
  function photoUrl(raw) {
    try {
      const url = new URL(String(raw ?? ""), window.location.href);
      if (url.protocol !== "http:" && url.protocol !== "https:") return null;
      return { href: url.href, local: url.origin === window.location.origin };
    } catch (_) {
      return null;
    }
  }

  function renderPhotos(photos) {
    const items = photos.map((photo, i) => {
      const li = document.createElement("li");
      li.className = "case-photo";
      const url = photoUrl(photo.url);
      if (!url) {
        li.textContent = "照片地址无效";
        return li;
      }
      const link = document.createElement("a");
      link.href = url.href;
      link.target = "_blank";
      link.rel = "noopener noreferrer";
      if (url.local) {
        const img = document.createElement("img");
        img.src = url.href;
        img.alt = `顾客照片 ${i + 1}`;
        img.loading = "lazy";
        link.appendChild(img);
      } else {
        link.className = "case-photo-link";
        link.textContent = `照片 ${i + 1}（外部链接）`;
      }
      const when = document.createElement("span");
      when.className = "case-photo-time";
      when.textContent = formatIso(photo.created_at);
      li.append(link, when);
      return li;
    });
    el.casePhotos.replaceChildren(...items);
    el.casePhotosSection.hidden = items.length === 0;
  }

  function actionButton(text, className, onClick) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = className;
    button.textContent = text;
    button.disabled = state.caseBusy;
    button.addEventListener("click", onClick);
    return button;
  }

  function renderCaseActions(c) {
    const next = Array.isArray(c.next_states) ? c.next_states.map(String) : [];
    const open = !CLOSED_STATES.has(c.state);
    el.caseNext.replaceChildren(...next.map((to) => {
      const danger = to === "rejected" || to === "cancelled";
      const button = actionButton(label(CASE_STEP, to), danger ? "btn btn-small btn-danger" : "btn btn-primary btn-small",
        () => openCaseForm({ type: "transition", to }));
      button.dataset.to = to;
      return button;
    }));
    el.caseClosed.hidden = next.length > 0;
    el.caseClosed.textContent = open ? "当前没有您可以进行的下一步" : "该工单已结束，无需再处理";

    const more = [];
    if (open && state.me) {
      const mine = idOf(c.assignee_id) === idOf(state.me.id);
      if (isSupervisor()) {
        more.push(actionButton("分配负责人", "btn btn-ghost btn-small", () => openCaseForm({ type: "assign" })));
      } else if (mine) {
        more.push(actionButton("不再负责", "btn btn-ghost btn-small",
          () => runCaseAction(c.case_no, "assign", { agent_id: null }, TEXT.caseAssigned)));
      } else {
        more.push(actionButton("我来负责", "btn btn-ghost btn-small",
          () => runCaseAction(c.case_no, "assign", { agent_id: Number(state.me.id) }, TEXT.caseAssigned)));
      }
      if (!c.immediate_review) {
        more.push(actionButton("初步鉴定上报", "btn btn-ghost btn-small", () => openCaseForm({ type: "flag" })));
      }
      if (isSupervisor()) {
        more.push(actionButton("批准金额", "btn btn-ghost btn-small", () => openCaseForm({ type: "approval" })));
      }
    }
    el.caseMore.replaceChildren(...more);
    el.caseMore.hidden = more.length === 0;

    // a form for a step the case no longer offers goes away
    const action = state.caseAction;
    if (action && (!open || (action.type === "transition" && !next.includes(action.to)) ||
        (action.type === "flag" && c.immediate_review))) {
      closeCaseForm();
    }
  }

  function option(value, text) {
    const node = document.createElement("option");
    node.value = value;
    node.textContent = text;
    return node;
  }

  function openCaseForm(action) {
    const c = state.caseDetail;
    if (!c) return;
    const same = state.caseAction && state.caseAction.type === action.type && state.caseAction.to === action.to;
    state.caseAction = action;
    showCaseError("");
    const resolving = action.type === "transition" && action.to === "resolved";
    const money = action.type === "approval";
    el.caseOutcomeField.hidden = !resolving;
    el.caseAssigneeField.hidden = action.type !== "assign";
    el.caseReasonField.hidden = action.type === "assign";
    if (!same) {
      el.caseReason.value = "";
      el.caseAmount.value = typeof c.requested_fen === "number" ? yuan(c.requested_fen).slice(1) : "";
    }
    if (action.type === "transition") {
      el.caseFormTitle.textContent =
        `${label(CASE_STEP, action.to)}：${label(CASE_STATE, c.state)} → ${label(CASE_STATE, action.to)}（会通知顾客）`;
      el.caseReasonLabel.textContent = action.to === "rejected" ? "拒绝原因（必填，会告知顾客）" : "备注（选填，记入处理记录）";
    } else if (action.type === "flag") {
      el.caseFormTitle.textContent = "初步鉴定：照片已能看出问题并非顾客造成，立即上报主管；之后可不等退回直接处理";
      el.caseReasonLabel.textContent = "鉴定说明（必填）";
    } else if (action.type === "approval") {
      el.caseFormTitle.textContent = "批准超出客服处理权限的退款或补偿金额";
      el.caseReasonLabel.textContent = "批准说明（必填）";
    } else {
      el.caseFormTitle.textContent = "分配负责人";
      const choices = [option("", "未分配")];
      for (const agent of state.agents) {
        choices.push(option(idOf(agent.id), `${agent.name}（${label(ROLE, agent.role)}）`));
      }
      el.caseAssignee.replaceChildren(...choices);
      el.caseAssignee.value = idOf(c.assignee_id);
    }
    if (resolving && !same) {
      const outcomes = OUTCOMES_BY_KIND[c.kind] || Object.keys(OUTCOME);
      el.caseOutcome.replaceChildren(option("", "请选择"), ...outcomes.map((o) => option(o, label(OUTCOME, o))));
      el.caseOutcome.value = outcomes.length === 1 ? outcomes[0] : "";
      el.caseMethod.replaceChildren(option("", "请选择"),
        ...Object.keys(REFUND_METHOD).map((m) => option(m, label(REFUND_METHOD, m))));
    }
    showMoneyFields(money);
    el.caseSubmit.textContent = "确定";
    el.caseForm.hidden = false;
    el.caseSubmit.disabled = state.caseBusy;
    (action.type === "assign" ? el.caseAssignee : resolving ? el.caseOutcome : el.caseReason).focus();
  }

  function showMoneyFields(approval = state.caseAction && state.caseAction.type === "approval") {
    const resolving = Boolean(state.caseAction && state.caseAction.type === "transition" &&
      state.caseAction.to === "resolved");
    const paying = resolving && MONEY_OUTCOMES.has(el.caseOutcome.value);
    el.caseMethodField.hidden = !paying;
    el.caseAmountField.hidden = !(paying || approval);
  }

  el.caseOutcome.addEventListener("change", () => showMoneyFields());

  function closeCaseForm() {
    state.caseAction = null;
    el.caseForm.hidden = true;
  }

  function showCaseError(message) {
    el.caseError.textContent = message;
    el.caseError.hidden = !message;
  }

  el.caseCancel.addEventListener("click", () => {
    closeCaseForm();
    showCaseError("");
  });

  el.caseForm.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      closeCaseForm();
      showCaseError("");
    }
  });

  el.caseReload.addEventListener("click", () => {
    if (state.caseNo) loadCase(state.caseNo);
    loadCases();
  });

  el.caseForm.addEventListener("submit", (event) => {
    event.preventDefault();
    const c = state.caseDetail;
    const action = state.caseAction;
    if (!c || !action || state.caseBusy) return;
    const reason = el.caseReason.value.trim();
    if (action.type === "assign") {
      const value = el.caseAssignee.value;
      runCaseAction(c.case_no, "assign", { agent_id: value ? Number(value) : null }, TEXT.caseAssigned);
      return;
    }
    if (action.type === "flag" || action.type === "approval") {
      if (!reason) {
        showCaseError(action.type === "flag" ? "请填写鉴定说明。" : "请填写批准说明。");
        return;
      }
      if (action.type === "flag") {
        runCaseAction(c.case_no, "flag", { reason }, TEXT.caseFlagged);
        return;
      }
      const amount = parseYuan(el.caseAmount.value);
      if (amount === null) {
        showCaseError(TEXT.caseAmountNeeded);
        return;
      }
      runCaseAction(c.case_no, "approval", { amount_fen: amount, reason }, TEXT.caseApproved);
      return;
    }
    const body = { to: action.to, reason };
    if (action.to === "rejected" && !reason) {
      showCaseError(TEXT.caseReasonNeeded);
      return;
    }
    if (action.to === "resolved") {
      body.outcome = el.caseOutcome.value;
      if (!body.outcome) {
        showCaseError(TEXT.caseOutcomeNeeded);
        return;
      }
      if (MONEY_OUTCOMES.has(body.outcome)) {
        body.refund_method = el.caseMethod.value;
        body.amount_fen = parseYuan(el.caseAmount.value);
        if (!body.refund_method) {
          showCaseError(TEXT.caseMethodNeeded);
          return;
        }
        if (body.amount_fen === null) {
          showCaseError(TEXT.caseAmountNeeded);
          return;
        }
      }
    }
    runCaseAction(c.case_no, "transitions", body, `${TEXT.caseMoved}：${label(CASE_STATE, action.to)}`);
  });

  function caseErrorText(error) {
    if (!(error instanceof ApiError)) return TEXT.failed;
    const body = error.body && typeof error.body === "object" ? error.body : {};
    const problem = body.error && typeof body.error === "object" ? body.error : { code: body.error, allowed: body.allowed };
    const code = typeof problem.code === "string" ? problem.code : "";
    if (error.status === 0) return TEXT.network;
    if (error.status === 404) return TEXT.caseMissing;
    if (error.status === 403) {
      if (code === "supervisor_approval_required") return TEXT.caseNeedApproval;
      if (/csrf/i.test(code)) return TEXT.caseSession;
      if (code === "case_not_yours" || code === "agents_take_only_themselves") return TEXT.caseNotYours;
      return TEXT.caseRoleDenied;
    }
    if (error.status === 409) {
      if (code === "closed") return TEXT.caseClosed;
      if (code === "conflict") return TEXT.caseConflict;
      const allowed = Array.isArray(problem.allowed) ? problem.allowed.map((s) => label(CASE_STEP, s)) : [];
      return allowed.length ? `${TEXT.caseNotAllowed}目前可以：${allowed.join("、")}。` : TEXT.caseNotAllowed;
    }
    if (error.status === 400) {
      const byCode = {
        reason_required: TEXT.caseReasonNeeded, outcome_required: TEXT.caseOutcomeNeeded,
        refund_method_required: TEXT.caseMethodNeeded, amount_required: TEXT.caseAmountNeeded,
        amount_over_order: TEXT.caseAmountOver,
      };
      return byCode[code] || TEXT.caseBadInput;
    }
    return TEXT.failed;
  }

  function setCaseBusy(busy) {
    state.caseBusy = busy;
    el.caseSubmit.disabled = busy;
    for (const button of [...el.caseNext.children, ...el.caseMore.children]) button.disabled = busy;
  }

  async function runCaseAction(no, endpoint, body, done) {
    if (state.caseBusy) return;
    setCaseBusy(true);
    showCaseError("");
    try {
      const data = await api("POST", `${path.case(no)}/${endpoint}`, body);
      if (state.caseNo === no) {
        state.caseDetail = data;
        closeCaseForm();
        setCaseBusy(false);
        renderCaseDetail();
        loadOrder(no, data.order_no);
      }
      toast(done);
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) return;
      const message = caseErrorText(error);
      if (state.caseNo === no) showCaseError(message);
      else toast(message, "error");
      if (error instanceof ApiError && (error.status === 409 || error.status === 404)) {
        setCaseBusy(false);
        loadCase(no); // show what the case is now
      }
    } finally {
      setCaseBusy(false);
    }
    loadCases();
  }

  function eventText(event) {
    const data = event.data && typeof event.data === "object" ? event.data : {};
    switch (event.action) {
      case "filed":
        return data.escalation ? `提交售后申请（${label(ESCALATION, data.escalation)}）` : "提交售后申请";
      case "transition": {
        let text = `${label(CASE_STATE, event.from)} → ${label(CASE_STATE, event.to)}`;
        if (data.outcome) text += `：${label(OUTCOME, data.outcome)}`;
        if (data.refund_method) text += ` · ${label(REFUND_METHOD, data.refund_method)}`;
        if (typeof data.amount_fen === "number") text += ` · ${yuan(data.amount_fen)}`;
        return text;
      }
      case "photo":
        return "发来照片";
      case "flag":
        return "初步鉴定：上报，可不等退回直接处理";
      case "assign":
        return data.assignee_id === null || data.assignee_id === undefined
          ? "取消负责人" : `负责人：${agentName(data.assignee_id)}`;
      case "approve":
        return `批准金额 ${yuan(data.approved_fen)}`;
      case "remind":
        return "系统提醒：遗留工单，请尽快跟进";
      default:
        return String(event.action ?? "");
    }
  }

  function renderEvents(events) {
    el.caseEvents.replaceChildren(...events.map((event) => {
      const li = document.createElement("li");
      li.className = `case-event case-event-${String(event.action ?? "").replace(/[^a-z_]/g, "")}`;
      const meta = document.createElement("div");
      meta.className = "note-meta";
      const time = document.createElement("time");
      setTime(time, event.at);
      meta.append(time, document.createTextNode(` · ${actorName(event.actor)}`));
      const what = document.createElement("p");
      what.className = "case-event-what";
      what.textContent = eventText(event);
      li.append(meta, what);
      if (event.reason) {
        const why = document.createElement("p");
        why.className = "note-line case-event-why";
        const b = document.createElement("b");
        b.textContent = "原因：";
        why.append(b, document.createTextNode(String(event.reason)));
        li.appendChild(why);
      }
      return li;
    }));
  }

  function resetCases() {
    casesSeq += 1;
    state.cases = [];
    state.staleNos = new Set();
    state.caseNo = null;
    state.caseDetail = null;
    state.caseOrder = null;
    state.caseFilter = "open";
    state.caseBusy = false;
    for (const node of el.casesFilter.querySelectorAll(".seg-btn")) {
      node.setAttribute("aria-pressed", String(node.dataset.filter === "open"));
    }
    closeCaseForm();
    showCaseError("");
    el.caseReason.value = "";
    el.caseAmount.value = "";
    el.casesLoadError.hidden = true;
    renderCases();
    renderStaleCount();
    renderCaseDetail();
  }

  // --- live updates over the WebSocket ---

  let socket = null;
  let failures = 0;
  let reconnectTimer = 0;

  function setConn(stateName) {
    el.conn.dataset.state = stateName;
    el.connText.textContent = TEXT[stateName] || TEXT.connecting;
    el.conn.title = el.connText.textContent;
  }

  function onEvent(raw) {
    let event;
    try {
      event = JSON.parse(raw);
    } catch (_) {
      return;
    }
    if (!event || typeof event !== "object") return;
    if (event.type === "sla.alert") flash(event.conversation_id, event.seconds_left);
    if (event.type === "presence.changed") presenceChanged(event.presence, event.reason);
    if (event.type === "supervisor.alert" && isSupervisor()) showAlert(TEXT.supervisorAlert(event));
    if (event.type === "conversation.assigned") {
      toast(TEXT.assigned);
      if (!state.selectedId && event.conversation_id !== undefined) select(idOf(event.conversation_id));
    }
    refreshSoon();
  }

  function connect() {
    clearTimeout(reconnectTimer);
    reconnectTimer = 0;
    if (!state.me) return;
    const scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
    let ws;
    try {
      ws = new WebSocket(`${scheme}//${window.location.host}/ws/agent`);
    } catch (_) {
      scheduleReconnect();
      return;
    }
    socket = ws;
    setConn(failures ? "reconnecting" : "connecting");
    ws.addEventListener("open", () => {
      if (socket !== ws) return;
      failures = 0;
      setConn("online");
      refreshSoon(); // whatever happened while disconnected
      schedulePoll();
    });
    ws.addEventListener("message", (event) => {
      if (socket === ws) onEvent(event.data);
    });
    ws.addEventListener("close", () => {
      if (socket !== ws) return;
      socket = null;
      if (!state.me) return;
      setConn("reconnecting");
      schedulePoll();
      api("GET", "/me").catch(() => {}); // a 401 here means the session ended: back to the login form
      scheduleReconnect();
    });
  }

  function scheduleReconnect() {
    if (reconnectTimer || !state.me) return;
    const backoff = Math.min(RECONNECT_MAX_MS, RECONNECT_BASE_MS * 2 ** failures);
    failures = Math.min(failures + 1, 10);
    reconnectTimer = setTimeout(connect, backoff * (0.75 + Math.random() * 0.5));
  }

  function disconnect() {
    clearTimeout(reconnectTimer);
    reconnectTimer = 0;
    const ws = socket;
    socket = null;
    if (ws) ws.close();
    setConn("connecting");
  }

  window.addEventListener("online", () => {
    if (state.me && !socket) {
      failures = 0;
      connect();
    }
  });
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState !== "visible" || !state.me) return;
    if (!socket) {
      failures = 0;
      connect();
    }
    refreshSoon();
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
})();
