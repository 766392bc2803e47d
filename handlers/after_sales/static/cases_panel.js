// The console's 售后工单 tab, a console panel of the after-sales area (`CASES_PANEL` in
// handlers/after_sales/__init__.py, docs/architecture.md "Console panels"). It lists after-sales cases
// (`/api/cases`): all open, stale (yesterday's leftovers, as the server decides in the shop's time zone)
// or mine; one case shows its facts, order, photos, history and only the next steps the API lists in
// `next_states`. Case events are not sent over the WebSocket, so the list and the stale count are polled
// slowly; the stale count shows on the tab from login on (`watch`), before the tab is first opened.
// Every text comes from scripts_zh/after_sales_console.yaml (`ctx.texts`); server and customer text is
// only ever put on the page with textContent.

import { fill } from "/static/lib/texts.js";
import { html, idOf, keepChildren, pad } from "/static/lib/dom.js";

const POLL_MS = 60000;
const NARROW = "(max-width: 720px)"; // the columns are stacked (console.css)
const CLOSED_STATES = new Set(["resolved", "rejected", "cancelled"]);
const MONEY_OUTCOMES = new Set(["refunded", "compensated"]);
const REFUND_METHODS = ["original", "balance", "gift_card", "alipay"];
// not in the API (only next_states is): mirrors OUTCOMES_BY_KIND in handlers/after_sales/machine.py
const OUTCOMES_BY_KIND = {
  track: ["answered", "reshipped", "refunded"], extend: ["extended", "answered"],
  damaged: ["refunded", "compensated", "exchanged", "reshipped"], missing: ["reshipped", "refunded", "compensated"],
  exchange: ["exchanged", "refunded"], return: ["refunded"], refund: ["refunded", "compensated"],
  rights: ["refunded", "compensated", "exchanged", "reshipped", "answered"],
};
const ALL_OUTCOMES = ["refunded", "compensated", "exchanged", "reshipped", "extended", "answered"];
const STALE = "/api/cases?stale=1";
// The badge's number alone: nobody reads a record by seeing a count, so nothing goes to the read log.
const STALE_COUNT = "/api/cases?stale=1&count_only=1";

function words(texts) {
  const tx = (name, fields) => (name in texts ? (fields ? fill(texts[name], fields) : texts[name]) : name);
  const label = (prefix, code) => (`${prefix}${code}` in texts ? texts[`${prefix}${code}`] : String(code ?? ""));
  return { tx, label };
}

async function staleCases(api) {
  const data = await api("GET", STALE);
  return Array.isArray(data.cases) ? data.cases : [];
}

function markup(tx) {
  return html`
    <section class="panel cases-list-panel" aria-labelledby="cases-title">
      <h2 class="panel-title" id="cases-title">${tx("list_title")} <span class="count" id="cases-count">0</span></h2>
      <div class="seg" id="cases-filter" role="group" aria-label="${tx("filter_label")}">
        <button type="button" class="seg-btn" data-filter="open" aria-pressed="true">${tx("filter_open")}</button>
        <button type="button" class="seg-btn" data-filter="stale" aria-pressed="false">${tx("filter_stale")}<span
                class="seg-count" id="cases-stale-count"></span></button>
        <button type="button" class="seg-btn" data-filter="mine" aria-pressed="false">${tx("filter_mine")}</button>
      </div>
      <p class="cases-hint" id="cases-hint" hidden>${tx("stale_hint")}</p>
      <ul class="list" id="cases-list" aria-live="polite"></ul>
      <p class="empty" id="cases-empty">${tx("empty")}</p>
      <p class="case-error" id="cases-load-error" role="alert" hidden></p>
    </section>

    <section class="panel case-pane" id="case-pane" aria-label="${tx("detail_label")}">
      <div class="chat-placeholder" id="case-placeholder">
        <p id="case-placeholder-text">${tx("pick")}</p>
      </div>
      <div class="case-detail" id="case-detail" hidden>
        <header class="case-head">
          <div class="case-title">
            <span class="case-no" id="case-no"></span>
            <span class="case-kind" id="case-kind"></span>
            <span class="case-step" id="case-step"></span>
            <span class="tag tag-stale" id="case-stale" hidden>${tx("stale_tag")}</span>
            <span class="tag tag-review" id="case-review" hidden>${tx("review_tag")}</span>
          </div>
          <button type="button" class="btn btn-ghost btn-small" id="case-reload">${tx("reload")}</button>
        </header>

        <dl class="profile case-facts" id="case-facts"></dl>

        <section class="case-section" aria-labelledby="case-order-title">
          <h3 class="case-section-title" id="case-order-title">${tx("order_title")}</h3>
          <dl class="profile case-facts" id="case-order"></dl>
          <p class="empty" id="case-order-empty" hidden>${tx("order_missing")}</p>
        </section>

        <section class="case-section" id="case-photos-section" aria-labelledby="case-photos-title" hidden>
          <h3 class="case-section-title" id="case-photos-title">${tx("photos_title")}</h3>
          <ul class="case-photos" id="case-photos"></ul>
        </section>

        <section class="case-section" aria-labelledby="case-actions-title">
          <h3 class="case-section-title" id="case-actions-title">${tx("actions_title")}</h3>
          <div class="case-actions" id="case-next" role="group" aria-label="${tx("next_label")}"></div>
          <p class="empty" id="case-closed" hidden>${tx("closed")}</p>
          <div class="case-actions case-actions-more" id="case-more"></div>
          <form class="case-form" id="case-form" autocomplete="off" novalidate hidden>
            <p class="case-form-title" id="case-form-title"></p>
            <label class="field" id="case-outcome-field" hidden>
              <span class="field-label">${tx("field_outcome")}</span>
              <select id="case-outcome"></select>
            </label>
            <label class="field" id="case-method-field" hidden>
              <span class="field-label">${tx("field_method")}</span>
              <select id="case-method"></select>
            </label>
            <label class="field" id="case-amount-field" hidden>
              <span class="field-label">${tx("field_amount")}</span>
              <input id="case-amount" type="text" inputmode="decimal" maxlength="12"
                     placeholder="${tx("amount_example")}">
            </label>
            <label class="field" id="case-assignee-field" hidden>
              <span class="field-label">${tx("field_assignee")}</span>
              <select id="case-assignee"></select>
            </label>
            <label class="field" id="case-reason-field">
              <span class="field-label" id="case-reason-label">${tx("field_reason")}</span>
              <textarea id="case-reason" rows="2" maxlength="1000"></textarea>
            </label>
            <div class="dialog-actions">
              <button type="button" class="btn btn-small" id="case-cancel">${tx("cancel")}</button>
              <button type="submit" class="btn btn-primary btn-small" id="case-submit">${tx("submit")}</button>
            </div>
          </form>
          <p class="case-error" id="case-error" role="alert" hidden></p>
        </section>

        <section class="case-section" aria-labelledby="case-events-title">
          <h3 class="case-section-title" id="case-events-title">${tx("events_title")}</h3>
          <ol class="case-events" id="case-events"></ol>
        </section>
      </div>
    </section>
    <template id="tpl-case">
      <li class="case-item">
        <button type="button" class="conv-btn case-btn">
          <span class="conv-top">
            <span class="conv-label case-item-no"></span>
            <span class="case-item-kind"></span>
            <span class="tag tag-stale" hidden>${tx("stale_tag")}</span>
            <span class="tag tag-review" hidden>${tx("review_tag")}</span>
          </span>
          <span class="case-item-meta">${tx("list_order")} <span class="case-item-order"></span> · <span
                class="case-item-step"></span></span>
          <span class="case-item-meta"><span class="case-item-owner"></span> · ${tx("list_touched")} <time
                class="case-item-time"></time></span>
        </button>
      </li>
    </template>`;
}

function formatTime(epochSeconds) {
  const date = new Date(epochSeconds * 1000);
  const hm = `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
  if (date.toDateString() === new Date().toDateString()) return hm;
  return `${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${hm}`;
}

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
  else node.removeAttribute("datetime"); // a kept node (keepChildren) must not keep the old time
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

function option(value, text) {
  const node = document.createElement("option");
  node.value = value;
  node.textContent = text;
  return node;
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

function mount(container, ctx) {
  const { api, me, toast } = ctx;
  const { tx, label } = words(ctx.texts);
  const supervisor = me.role === "supervisor" || me.role === "admin";
  container.classList.add("cases");
  container.innerHTML = markup(tx);
  const $ = (id) => container.querySelector(`#${id}`);
  const el = {
    filter: $("cases-filter"), staleCount: $("cases-stale-count"), hint: $("cases-hint"), list: $("cases-list"),
    empty: $("cases-empty"), count: $("cases-count"), loadError: $("cases-load-error"), pane: $("case-pane"),
    placeholder: $("case-placeholder"), placeholderText: $("case-placeholder-text"), detail: $("case-detail"),
    no: $("case-no"), kind: $("case-kind"), step: $("case-step"), stale: $("case-stale"), review: $("case-review"),
    reload: $("case-reload"), facts: $("case-facts"), order: $("case-order"), orderEmpty: $("case-order-empty"),
    photosSection: $("case-photos-section"), photos: $("case-photos"), next: $("case-next"), closed: $("case-closed"),
    more: $("case-more"), form: $("case-form"), formTitle: $("case-form-title"), outcomeField: $("case-outcome-field"),
    outcome: $("case-outcome"), methodField: $("case-method-field"), method: $("case-method"),
    amountField: $("case-amount-field"), amount: $("case-amount"), assigneeField: $("case-assignee-field"),
    assignee: $("case-assignee"), reasonField: $("case-reason-field"), reasonLabel: $("case-reason-label"),
    reason: $("case-reason"), error: $("case-error"), cancel: $("case-cancel"), submit: $("case-submit"),
    events: $("case-events"), template: $("tpl-case"),
  };
  const state = {
    filter: "open", // open | stale | mine
    cases: [], // the list shown
    staleNos: new Set(), // case numbers the server calls stale (?stale=1)
    caseNo: null, // the selected case
    detail: null, // the last GET /api/cases/{case_no} answer for caseNo
    order: null, // GET /api/orders/{order_no} for it
    action: null, // {type: "transition", to} | {type: "flag"} | {type: "approval"} | {type: "assign"}
    busy: false,
    agents: [],
    seq: 0, // a slower answer for an earlier filter is dropped
  };

  const isStale = (no) => state.staleNos.has(String(no));
  const agentName = (id) => {
    const key = idOf(id);
    if (idOf(me.id) === key) return me.name;
    const agent = state.agents.find((a) => idOf(a.id) === key);
    return agent ? agent.name : ctx.t("agent_number", { id: key });
  };
  const ownerName = (id) => (id === null || id === undefined ? tx("unassigned") : agentName(id));

  function actorName(actor) {
    const text = String(actor ?? "");
    if (text.startsWith("agent:")) return agentName(text.slice(6));
    if (text.startsWith("customer:")) return tx("customer");
    if (text === "system") return tx("system");
    return text || "—";
  }

  function itemText(item) {
    if (!item || typeof item !== "object") return "";
    const qty = typeof item.qty === "number" ? ` ×${item.qty}` : "";
    return `${item.name || item.sku || tx("goods")}${qty}`;
  }

  const path = {
    case: (no) => `/api/cases/${encodeURIComponent(no)}`,
    order: (no) => `/api/orders/${encodeURIComponent(no)}`,
  };

  async function fetchStale() {
    const cases = await staleCases(api);
    state.staleNos = new Set(cases.map((c) => String(c.case_no)));
    const count = state.staleNos.size;
    el.staleCount.textContent = count ? String(count) : "";
    ctx.tab.badge(count, count ? tx("tab_with_stale", { count }) : tx("tab"));
    return cases;
  }

  async function loadAgents() {
    state.agents = await ctx.agents();
  }

  async function loadCases() {
    const seq = ++state.seq;
    const filter = state.filter;
    try {
      const query = filter === "mine" ? "?state=open&assignee=me&limit=200" : "?state=open&limit=200";
      const [stale, listed] = await Promise.all([
        fetchStale(),
        filter === "stale" ? null : api("GET", `/api/cases${query}`),
        loadAgents(), // owners' names
      ]);
      if (seq !== state.seq) return;
      let cases = filter === "stale" ? stale : Array.isArray(listed.cases) ? listed.cases : [];
      if (filter !== "stale") {
        // most recently touched first, as the server sorts them, but yesterday's leftovers on top
        cases = [...cases.filter((c) => isStale(c.case_no)), ...cases.filter((c) => !isStale(c.case_no))];
      }
      state.cases = cases;
      el.loadError.hidden = true;
      renderCases();
    } catch (error) {
      if (seq !== state.seq || error.status === 401) return;
      el.loadError.textContent = error.status === 0 ? ctx.t("network") : tx("list_failed");
      el.loadError.hidden = false;
    }
    if (state.caseNo && !state.busy) loadCase(state.caseNo);
  }

  function newCaseItem(no) {
    const node = el.template.content.firstElementChild.cloneNode(true);
    node.dataset.id = no;
    node.querySelector(".case-btn").addEventListener("click", () => {
      selectCase(no);
      if (window.matchMedia(NARROW).matches) el.pane.scrollIntoView({ block: "start" });
    });
    return node;
  }

  function renderCases() {
    const ids = state.cases.map((c) => String(c.case_no ?? ""));
    const items = keepChildren(el.list, ids, newCaseItem);
    items.forEach((node, position) => {
      const c = state.cases[position];
      const no = ids[position];
      const stale = isStale(no);
      node.classList.toggle("stale", stale);
      node.classList.toggle("selected", no === state.caseNo);
      node.querySelector(".case-item-no").textContent = no;
      node.querySelector(".case-item-kind").textContent = label("kind_", c.kind);
      node.querySelector(".tag-stale").hidden = !stale;
      node.querySelector(".tag-review").hidden = !c.immediate_review;
      node.querySelector(".case-item-order").textContent = String(c.order_no ?? "");
      node.querySelector(".case-item-step").textContent = label("state_", c.state);
      node.querySelector(".case-item-owner").textContent = ownerName(c.assignee_id);
      setTime(node.querySelector(".case-item-time"), c.touched_at);
      const button = node.querySelector(".case-btn");
      if (no === state.caseNo) button.setAttribute("aria-current", "true");
      else button.removeAttribute("aria-current");
    });
    el.empty.textContent = tx(`empty_${state.filter}`);
    el.empty.hidden = items.length > 0;
    el.count.textContent = String(items.length);
    el.hint.hidden = state.filter !== "stale";
  }

  el.filter.addEventListener("click", (event) => {
    const button = event.target.closest(".seg-btn");
    if (!button || button.dataset.filter === state.filter) return;
    state.filter = button.dataset.filter;
    for (const node of el.filter.querySelectorAll(".seg-btn")) {
      node.setAttribute("aria-pressed", String(node === button));
    }
    state.cases = [];
    renderCases();
    el.empty.textContent = tx("loading");
    loadCases();
  });

  // --- one case ---

  function selectCase(no) {
    if (no !== state.caseNo) {
      state.caseNo = no;
      state.detail = null;
      state.order = null;
      closeForm();
      showError("");
      renderDetail();
    }
    for (const node of el.list.querySelectorAll(".case-item")) {
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
      state.detail = data;
      renderDetail();
      loadOrder(no, data.order_no);
    } catch (error) {
      if (state.caseNo !== no || error.status === 401) return;
      if (error.status === 0 && state.detail) {
        toast(ctx.t("network"), "error");
        return;
      }
      state.detail = null;
      renderDetail(error.status === 404 ? tx("missing") : tx("load_failed"));
    }
  }

  async function loadOrder(no, orderNo) {
    if (!orderNo) return;
    let order = false;
    try {
      order = await api("GET", path.order(orderNo));
    } catch (error) {
      if (error.status === 401) return;
    }
    if (state.caseNo !== no) return;
    state.order = order;
    renderOrder();
  }

  function renderDetail(message = "") {
    const c = state.detail;
    el.detail.hidden = !c;
    el.placeholder.hidden = Boolean(c);
    el.placeholderText.textContent = message || (state.caseNo ? tx("loading") : tx("pick"));
    if (!c) return;
    el.no.textContent = String(c.case_no ?? "");
    el.kind.textContent = label("kind_", c.kind);
    el.step.textContent = label("state_", c.state);
    el.step.dataset.state = String(c.state ?? "");
    el.stale.hidden = !isStale(c.case_no);
    el.review.hidden = !c.immediate_review;

    let result = c.outcome ? label("outcome_", c.outcome) : "";
    if (result && c.refund_method) result += ` · ${label("method_", c.refund_method)}`;
    if (result && typeof c.amount_fen === "number") result += ` · ${yuan(c.amount_fen)}`;
    facts(el.facts, [
      [tx("fact_order_no"), c.order_no],
      [tx("fact_assignee"), ownerName(c.assignee_id)],
      [tx("fact_item"), c.item ? itemText(c.item) : tx("whole_order")],
      [tx("fact_description"), c.description],
      [tx("fact_wanted"), c.wanted],
      [tx("fact_requested"), typeof c.requested_fen === "number" ? yuan(c.requested_fen) : null],
      [tx("fact_escalation"), c.escalation ? label("escalation_", c.escalation) : null],
      [tx("fact_approved"), typeof c.approved_fen === "number" ? yuan(c.approved_fen) : null],
      [tx("fact_result"), result],
      [tx("fact_reject_reason"), c.reject_reason],
      [tx("fact_created"), formatIso(c.created_at)],
      [tx("fact_touched"), formatIso(c.touched_at)],
      [tx("fact_resolved"), c.resolved_at ? formatIso(c.resolved_at) : null],
      [tx("fact_satisfaction"), c.satisfaction_due_at ? formatIso(c.satisfaction_due_at) : null],
    ]);
    renderOrder();
    renderPhotos(Array.isArray(c.photos) ? c.photos : []);
    renderActions(c);
    renderEvents(Array.isArray(c.events) ? c.events : []);
  }

  function renderOrder() {
    const order = state.order;
    el.orderEmpty.hidden = order !== false;
    if (!order) {
      el.order.replaceChildren();
      return;
    }
    const items = Array.isArray(order.items) ? order.items.map(itemText).filter(Boolean).join("、") : "";
    const events = Array.isArray(order.tracking_events) ? order.tracking_events : [];
    const last = events.length ? events[events.length - 1] : null;
    const parcel = [order.courier, order.tracking_no].filter(Boolean).join(" ");
    facts(el.order, [
      [tx("order_items"), items],
      [tx("order_total"), typeof order.total_fen === "number" ? yuan(order.total_fen) : null],
      [tx("order_refunded"), order.refunded_fen ? yuan(order.refunded_fen) : null],
      [tx("order_status"), order.status ? label("order_status_", order.status) : null],
      [tx("order_paid"), order.paid_at ? formatIso(order.paid_at) : null],
      [tx("order_parcel"), parcel],
      [tx("order_tracking"), last ? `${formatIso(last.at)} ${last.status ?? ""}` : null],
      [tx("order_received"), order.received_at ? formatIso(order.received_at) : null],
      [tx("order_receipt_due"), order.receipt_due_at ? formatIso(order.receipt_due_at) : null],
    ]);
  }

  function renderPhotos(photos) {
    const items = photos.map((photo, i) => {
      const li = document.createElement("li");
      li.className = "case-photo";
      const url = photoUrl(photo.url);
      if (!url) {
        li.textContent = tx("photo_bad");
        return li;
      }
      const link = document.createElement("a");
      link.href = url.href;
      link.target = "_blank";
      link.rel = "noopener noreferrer";
      if (url.local) {
        const img = document.createElement("img");
        img.src = url.href;
        img.alt = tx("photo_alt", { n: i + 1 });
        img.loading = "lazy";
        link.appendChild(img);
      } else {
        link.className = "case-photo-link";
        link.textContent = tx("photo_external", { n: i + 1 });
      }
      const when = document.createElement("span");
      when.className = "case-photo-time";
      when.textContent = formatIso(photo.created_at);
      li.append(link, when);
      return li;
    });
    el.photos.replaceChildren(...items);
    el.photosSection.hidden = items.length === 0;
  }

  function actionButton(text, className, onClick) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = className;
    button.textContent = text;
    button.disabled = state.busy;
    button.addEventListener("click", onClick);
    return button;
  }

  function renderActions(c) {
    const next = Array.isArray(c.next_states) ? c.next_states.map(String) : [];
    const open = !CLOSED_STATES.has(c.state);
    el.next.replaceChildren(...next.map((to) => {
      const danger = to === "rejected" || to === "cancelled";
      const button = actionButton(label("step_", to), danger ? "btn btn-small btn-danger" : "btn btn-primary btn-small",
        () => openForm({ type: "transition", to }));
      button.dataset.to = to;
      return button;
    }));
    el.closed.hidden = next.length > 0;
    el.closed.textContent = open ? tx("no_next") : tx("closed");

    const more = [];
    if (open) {
      const mine = idOf(c.assignee_id) === idOf(me.id);
      const ghost = "btn btn-ghost btn-small";
      if (supervisor) {
        more.push(actionButton(tx("assign_choose"), ghost, () => openForm({ type: "assign" })));
      } else if (mine) {
        more.push(actionButton(tx("assign_drop"), ghost,
          () => runAction(c.case_no, "assign", { agent_id: null }, tx("assigned"))));
      } else {
        more.push(actionButton(tx("assign_take"), ghost,
          () => runAction(c.case_no, "assign", { agent_id: Number(me.id) }, tx("assigned"))));
      }
      if (!c.immediate_review) more.push(actionButton(tx("flag"), ghost, () => openForm({ type: "flag" })));
      if (supervisor) more.push(actionButton(tx("approve"), ghost, () => openForm({ type: "approval" })));
    }
    el.more.replaceChildren(...more);
    el.more.hidden = more.length === 0;

    // a form for a step the case no longer offers goes away
    const action = state.action;
    if (action && (!open || (action.type === "transition" && !next.includes(action.to)) ||
        (action.type === "flag" && c.immediate_review))) {
      closeForm();
    }
  }

  function openForm(action) {
    const c = state.detail;
    if (!c) return;
    const same = state.action && state.action.type === action.type && state.action.to === action.to;
    state.action = action;
    showError("");
    const resolving = action.type === "transition" && action.to === "resolved";
    el.outcomeField.hidden = !resolving;
    el.assigneeField.hidden = action.type !== "assign";
    el.reasonField.hidden = action.type === "assign";
    if (!same) {
      el.reason.value = "";
      el.amount.value = typeof c.requested_fen === "number" ? yuan(c.requested_fen).slice(1) : "";
    }
    if (action.type === "transition") {
      el.formTitle.textContent = tx("form_transition",
        { step: label("step_", action.to), from: label("state_", c.state), to: label("state_", action.to) });
      el.reasonLabel.textContent = action.to === "rejected" ? tx("reason_reject") : tx("reason_note");
    } else if (action.type === "flag") {
      el.formTitle.textContent = tx("form_flag");
      el.reasonLabel.textContent = tx("reason_flag");
    } else if (action.type === "approval") {
      el.formTitle.textContent = tx("form_approval");
      el.reasonLabel.textContent = tx("reason_approval");
    } else {
      el.formTitle.textContent = tx("form_assign");
      const choices = [option("", tx("unassigned"))];
      for (const agent of state.agents) {
        const role = ctx.t(`role_${agent.role}`);
        choices.push(option(idOf(agent.id), tx("assignee_option", { name: agent.name, role })));
      }
      el.assignee.replaceChildren(...choices);
      el.assignee.value = idOf(c.assignee_id);
    }
    if (resolving && !same) {
      const outcomes = OUTCOMES_BY_KIND[c.kind] || ALL_OUTCOMES;
      el.outcome.replaceChildren(option("", tx("choose")), ...outcomes.map((o) => option(o, label("outcome_", o))));
      el.outcome.value = outcomes.length === 1 ? outcomes[0] : "";
      el.method.replaceChildren(option("", tx("choose")), ...REFUND_METHODS.map((m) => option(m, label("method_", m))));
    }
    showMoneyFields(action.type === "approval");
    el.form.hidden = false;
    el.submit.disabled = state.busy;
    (action.type === "assign" ? el.assignee : resolving ? el.outcome : el.reason).focus();
  }

  function showMoneyFields(approval = state.action && state.action.type === "approval") {
    const resolving = Boolean(state.action && state.action.type === "transition" && state.action.to === "resolved");
    const paying = resolving && MONEY_OUTCOMES.has(el.outcome.value);
    el.methodField.hidden = !paying;
    el.amountField.hidden = !(paying || approval);
  }

  function closeForm() {
    state.action = null;
    el.form.hidden = true;
  }

  function showError(message) {
    el.error.textContent = message;
    el.error.hidden = !message;
  }

  el.outcome.addEventListener("change", () => showMoneyFields());
  el.cancel.addEventListener("click", () => {
    closeForm();
    showError("");
  });
  el.form.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      closeForm();
      showError("");
    }
  });
  el.reload.addEventListener("click", () => {
    if (state.caseNo) loadCase(state.caseNo);
    loadCases();
  });

  // The form's checks before anything is sent; a message, or the request to make.
  function formRequest(c, action) {
    const reason = el.reason.value.trim();
    if (action.type === "assign") {
      const value = el.assignee.value;
      return { endpoint: "assign", body: { agent_id: value ? Number(value) : null }, done: tx("assigned") };
    }
    if (action.type === "flag") {
      if (!reason) return { problem: tx("flag_reason_needed") };
      return { endpoint: "flag", body: { reason }, done: tx("flagged") };
    }
    if (action.type === "approval") {
      if (!reason) return { problem: tx("approval_reason_needed") };
      const amount = parseYuan(el.amount.value);
      if (amount === null) return { problem: tx("amount_needed") };
      return { endpoint: "approval", body: { amount_fen: amount, reason }, done: tx("approved") };
    }
    const body = { to: action.to, reason };
    if (action.to === "rejected" && !reason) return { problem: tx("reason_needed") };
    if (action.to === "resolved") {
      body.outcome = el.outcome.value;
      if (!body.outcome) return { problem: tx("outcome_needed") };
      if (MONEY_OUTCOMES.has(body.outcome)) {
        body.refund_method = el.method.value;
        body.amount_fen = parseYuan(el.amount.value);
        if (!body.refund_method) return { problem: tx("method_needed") };
        if (body.amount_fen === null) return { problem: tx("amount_needed") };
      }
    }
    return { endpoint: "transitions", body, done: tx("moved_to", { state: label("state_", action.to) }) };
  }

  el.form.addEventListener("submit", (event) => {
    event.preventDefault();
    const c = state.detail;
    const action = state.action;
    if (!c || !action || state.busy) return;
    const request = formRequest(c, action);
    if (request.problem) showError(request.problem);
    else runAction(c.case_no, request.endpoint, request.body, request.done);
  });

  function errorText(error) {
    const code = error.code || "";
    if (error.status === 0) return ctx.t("network");
    if (error.status === 404) return tx("missing");
    if (error.status === 403) {
      if (code === "supervisor_approval_required") return tx("need_approval");
      if (/csrf/i.test(code)) return tx("session");
      if (code === "case_not_yours" || code === "agents_take_only_themselves") return tx("not_yours");
      return tx("role_denied");
    }
    if (error.status === 409) {
      if (code === "closed") return tx("case_closed");
      if (code === "conflict") return tx("conflict");
      const allowed = Array.isArray(error.detail?.allowed) ? error.detail.allowed.map((s) => label("step_", s)) : [];
      return allowed.length ? tx("not_allowed_now", { steps: allowed.join("、") }) : tx("not_allowed");
    }
    if (error.status === 400) {
      const byCode = {
        reason_required: "reason_needed", outcome_required: "outcome_needed", refund_method_required: "method_needed",
        amount_required: "amount_needed", amount_over_order: "amount_over",
      };
      return tx(byCode[code] || "bad_input");
    }
    return ctx.t("failed");
  }

  function setBusy(busy) {
    state.busy = busy;
    el.submit.disabled = busy;
    for (const button of [...el.next.children, ...el.more.children]) button.disabled = busy;
  }

  async function runAction(no, endpoint, body, done) {
    if (state.busy) return;
    setBusy(true);
    showError("");
    try {
      const data = await api("POST", `${path.case(no)}/${endpoint}`, body);
      if (state.caseNo === no) {
        state.detail = data;
        closeForm();
        setBusy(false);
        renderDetail();
        loadOrder(no, data.order_no);
      }
      toast(done);
    } catch (error) {
      if (error.status === 401) return;
      const message = errorText(error);
      if (state.caseNo === no) showError(message);
      else toast(message, "error");
      if (error.status === 409 || error.status === 404) {
        setBusy(false);
        loadCase(no); // show what the case is now
      }
    } finally {
      setBusy(false);
    }
    loadCases();
  }

  function eventText(event) {
    const data = event.data && typeof event.data === "object" ? event.data : {};
    switch (event.action) {
      case "filed":
        return data.escalation
          ? tx("event_filed_escalated", { escalation: label("escalation_", data.escalation) }) : tx("event_filed");
      case "transition": {
        let text = `${label("state_", event.from)} → ${label("state_", event.to)}`;
        if (data.outcome) text += `：${label("outcome_", data.outcome)}`;
        if (data.refund_method) text += ` · ${label("method_", data.refund_method)}`;
        if (typeof data.amount_fen === "number") text += ` · ${yuan(data.amount_fen)}`;
        return text;
      }
      case "photo":
        return tx("event_photo");
      case "photo_moved":
        return tx("event_photo_moved", { case_no: String(data.to ?? "") });
      case "flag":
        return tx("event_flag");
      case "assign":
        return data.assignee_id === null || data.assignee_id === undefined
          ? tx("event_unassigned") : tx("event_assigned", { name: agentName(data.assignee_id) });
      case "approve":
        return tx("event_approved", { amount: yuan(data.approved_fen) });
      case "remind":
        return tx("event_remind");
      default:
        return String(event.action ?? "");
    }
  }

  function renderEvents(events) {
    el.events.replaceChildren(...events.map((event) => {
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
        b.textContent = tx("event_reason");
        why.append(b, document.createTextNode(String(event.reason)));
        li.appendChild(why);
      }
      return li;
    }));
  }

  const poller = setInterval(() => {
    if (!container.hidden && document.visibilityState === "visible") loadCases();
  }, POLL_MS);
  renderCases();
  renderDetail();
  loadCases();
  return {
    show: loadCases,
    stop: () => clearInterval(poller),
  };
}

// From login on, before the tab is opened: the number of stale cases on the tab, polled slowly.
function watch(ctx) {
  const { tx } = words(ctx.texts);
  const badge = async () => {
    try {
      const data = await ctx.api("GET", STALE_COUNT);
      const count = Number.isInteger(data.count) ? data.count : 0;
      ctx.tab.badge(count, count ? tx("tab_with_stale", { count }) : tx("tab"));
    } catch (_) {
      // the badge keeps its last count; the next poll tries again
    }
  };
  ctx.tab.title(tx("badge_title"));
  badge();
  const poller = setInterval(() => {
    if (ctx.tab.hidden()) badge(); // once open, the panel's own polling keeps the count
  }, POLL_MS);
  return { stop: () => clearInterval(poller) };
}

export default { mount, watch };
