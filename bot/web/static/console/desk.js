// The desk: the queue, my conversations with their SLA countdowns, the selected conversation (history,
// reply with the forbidden-language warning, canned replies, hand back, transfer, handover notes).
import { ApiError } from "../lib/api.js";
import { idOf, keepChildren } from "../lib/dom.js";
import { TEXTS, label, t } from "../lib/texts.js";
import {
  $, URGENT_S, agentName, api, conflictText, el, errorText, formatDuration, formatTime, isSupervisor, loadAgents,
  path, personName, reasonLabel, seconds, serverNow, shell, state, toast,
} from "./core.js";

const FLASH_MS = 6000;
const MAX_CHARS = 2000;
const NARROW = "(max-width: 720px)"; // the columns are stacked (console.css)

// --- the queue ---

export async function loadQueue() {
  const data = await api("GET", "/queue");
  state.queue = Array.isArray(data.queue) ? data.queue : [];
  renderQueue();
}

export function renderQueue() {
  const ids = state.queue.map((entry) => idOf(entry.conversation_id));
  keepChildren(el.queueList, ids, newQueueItem).forEach((node, position) => {
    const entry = state.queue[position];
    const customer = entry.customer || {};
    node.classList.toggle("vip", Boolean(customer.vip));
    node.querySelector(".queue-pos").textContent = entry.position ? `#${entry.position}` : "";
    node.querySelector(".conv-label").textContent = customer.label || t("who_customer");
    node.querySelector(".vip-badge").hidden = !customer.vip;
    node.querySelector(".queue-reason").textContent = reasonLabel(entry.reason || "human");
    node.querySelector(".queue-channel").textContent = label("channel_", customer.channel || "");
    const waited = node.querySelector(".waited");
    const since = seconds(entry.waiting_since);
    if (since === null) {
      delete waited.dataset.since;
      waited.textContent = "";
    } else {
      waited.dataset.since = String(since);
    }
    const name = customer.label || t("who_customer");
    node.querySelector(".take").setAttribute("aria-label", t("take_label", { name }));
  });
  el.queueEmpty.hidden = ids.length > 0;
  el.queueCount.textContent = String(ids.length);
  tick();
}

function newQueueItem(id) {
  const node = el.tplQueue.content.firstElementChild.cloneNode(true);
  node.dataset.id = id;
  const take = node.querySelector(".take");
  take.addEventListener("click", () => takeConversation(id, take));
  return node;
}

export async function takeConversation(id, button) {
  button.disabled = true;
  try {
    await api("POST", `${path.conversation(id)}/take`, {});
    toast(t("taken"));
    select(id);
    shell.refreshSoon();
  } catch (error) {
    button.disabled = false;
    if (error instanceof ApiError && error.status === 401) return;
    toast(error instanceof ApiError && error.status === 409 ? t("take_conflict") : errorText(error), "error");
    shell.refreshSoon();
  }
}

// --- my conversations ---

export async function loadMine() {
  const data = await api("GET", "/conversations");
  state.mine = Array.isArray(data.conversations) ? data.conversations : [];
  renderMine();
  if (!state.offsetKnown && !state.selectedId && state.mine.length) {
    // the list has deadlines but no server time: one detail read tells the clock offset
    loadClockFrom(idOf(state.mine[0].conversation_id));
  }
}

export async function loadClockFrom(id) {
  try {
    await api("GET", path.conversation(id));
    tick();
  } catch (_) {
    // countdowns stay hidden until a conversation is opened
  }
}

export function lastLine(conversation) {
  const last = conversation.last_message;
  let text = last ? `${personName(last.author)}：${last.text ?? ""}` : "";
  const assignee = conversation.assignee;
  if (assignee && state.me && idOf(assignee.id) !== idOf(state.me.id)) {
    text = `[${assignee.name || agentName(assignee.id)}] ${text}`;
  }
  return text.replace(/\s+/g, " ");
}

export function renderMine() {
  const ids = state.mine.map((conversation) => idOf(conversation.conversation_id));
  keepChildren(el.mineList, ids, newConvItem).forEach((node, position) => {
    const conversation = state.mine[position];
    const customer = conversation.customer || {};
    node.classList.toggle("selected", ids[position] === state.selectedId);
    node.querySelector(".conv-label").textContent = customer.label || t("who_customer");
    node.querySelector(".vip-badge").hidden = !customer.vip;
    node.querySelector(".conv-last").textContent = lastLine(conversation);
    setCountdown(node.querySelector(".countdown"), conversation.sla);
  });
  el.mineEmpty.hidden = ids.length > 0;
  el.mineCount.textContent = String(ids.length);
  applyFlash();
  tick();
}

function newConvItem(id) {
  const node = el.tplConv.content.firstElementChild.cloneNode(true);
  node.dataset.id = id;
  node.querySelector(".conv-btn").addEventListener("click", () => {
    select(id);
    if (window.matchMedia(NARROW).matches) el.chatHead.closest(".col-chat").scrollIntoView({ block: "start" });
  });
  return node;
}

// --- countdowns and flashing ---

export function setCountdown(node, sla) {
  const due = sla ? seconds(sla.due_at) : null;
  if (due === null) {
    delete node.dataset.due;
    node.textContent = "";
    node.title = "";
    node.classList.remove("urgent", "overdue");
    return;
  }
  node.dataset.due = String(due);
  node.title = label("sla_", sla.kind || "reply");
}

export function tick() {
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

export function flash(id, secondsLeft) {
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

export function applyFlash() {
  for (const node of el.mineList.querySelectorAll(".conv")) {
    node.classList.toggle("flash", state.flashUntil.has(node.dataset.id));
  }
  el.chatHead.classList.toggle("flash", Boolean(state.selectedId) && state.flashUntil.has(state.selectedId));
  if (state.me) document.title = t(state.flashUntil.size ? "title_urgent" : "title_with_name", { name: state.me.name });
}

// --- the selected conversation ---

export function hashConversation() {
  const match = /^#c=([A-Za-z0-9_-]{1,64})$/.exec(window.location.hash);
  return match ? match[1] : null;
}

export function select(id) {
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

export function saveDraft() {
  if (!state.selectedId) return;
  const draft = el.replyInput.value;
  if (draft.trim()) state.drafts.set(state.selectedId, draft);
  else state.drafts.delete(state.selectedId);
}

export function unselect(message = "") {
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

export async function loadDetail(id) {
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

export function renderSelection(placeholder = "", denied = "") {
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
  el.chatClock.hidden = !(sla && seconds(sla.due_at) !== null);
  el.chatSlaKind.textContent = sla ? label("sla_", sla.kind || "reply") : "";
  if (typeof conversation.sends_left === "number") {
    el.chatSlaKind.textContent += t("sends_left", { n: conversation.sends_left });
  }
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

export function messageClass(message) {
  const author = String(message.author ?? "");
  if (author === "system") return "msg-system";
  if (author === "bot") return "msg-bot";
  if (author.startsWith("agent:")) {
    return state.me && author === `agent:${state.me.id}` ? "msg-agent" : "msg-agent-other";
  }
  if (author === "customer") return "msg-customer";
  return message.direction === "in" ? "msg-customer" : "msg-bot";
}

export function messageNode(message, customerLabel) {
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
  const sent = seconds(message.created_at);
  if (sent !== null) time.dateTime = new Date(sent * 1000).toISOString();
  const text = String(message.text ?? "");
  node.querySelector(".bubble").textContent =
    kind === "msg-system" && message.direction === "out" ? t("system_sent", { text }) : text;
  return node;
}

// Why the platform did not take a message, or may not have: the server sends a category of the reason the
// channel recorded (handlers/handoff/delivery.py), each labelled `undelivered_<category>` in console.yaml; a
// category the page has no label for reads `undelivered_refused`, never a code.
export function undeliveredLabel(category) {
  const key = `undelivered_${category}`;
  return Object.hasOwn(TEXTS, key) ? t(key) : t("undelivered_refused");
}

const DELIVERY_STATES = { pending: "delivery_pending", unconfirmed: "delivery_unconfirmed", undelivered: "delivery_undelivered" };

// An outbound message's delivery under its bubble: "sending" while pending, "unconfirmed" when the platform may
// have it (a timeout, or pending for long: its worker gone), "not delivered" and why when the platform did not
// take it, nothing once sent. Applied to every shown message at each render, as a pending one changes later.
export function showDelivery(node, message) {
  const delivery = message.direction === "out" ? String(message.delivery ?? "") : "";
  const shown = Object.hasOwn(DELIVERY_STATES, delivery);
  for (const state of Object.keys(DELIVERY_STATES)) node.classList.toggle(state, delivery === state);
  node.querySelector(".delivery").hidden = !shown;
  const [stateText, reason] = shown ? deliveryTexts(delivery, message.failure_category) : ["", ""];
  node.querySelector(".delivery-state").textContent = stateText;
  node.querySelector(".delivery-reason").textContent = reason;
}

// The words of a delivery that is not plain "sent" (a key of `DELIVERY_STATES`): its state and, but while
// pending, why. The supervisor's list of replies not delivered reads the same words as the message's mark.
export function deliveryTexts(delivery, category) {
  return [t(DELIVERY_STATES[delivery]), delivery === "pending" ? "" : undeliveredLabel(category)];
}

export function renderHistory(messages, customerLabel) {
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
  [...box.children].forEach((node, position) => showDelivery(node, messages[position]));
  if (stick) box.scrollTop = box.scrollHeight;
}

export function renderNotes(notes) {
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

export function refreshSendButton() {
  el.replySend.disabled = state.sending || el.replyInput.disabled || el.replyInput.value.trim() === "";
}

export function autosize() {
  el.replyInput.style.height = "auto";
  el.replyInput.style.height = `${Math.min(el.replyInput.scrollHeight + 2, 160)}px`;
}

// The reply without a definite answer (a network error, a 5xx: a proxy's 502/504, a 500, 503
// reply_in_flight — the server may have sent it): sending the same text to the same conversation again
// reuses its client_msg_id, so the server sends it once (it answers the retry as it did the first, or with
// 409 reply_maybe_sent). A definite answer (2xx, a 4xx, the server's 502 not_delivered) or another text
// starts a new id.
let unanswered = null;

function definite(error) {
  if (!(error instanceof ApiError) || error.status === 0) return false;
  return error.status < 500 || error.code === "not_delivered";
}

function clientMsgId(id, text) {
  if (!unanswered || unanswered.id !== id || unanswered.text !== text) {
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    unanswered = { id, text, clientMsgId: Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("") };
  }
  return unanswered.clientMsgId;
}

export async function sendReply(text, confirm) {
  const id = state.selectedId;
  if (!id || state.sending) return;
  if (text.length > MAX_CHARS) {
    toast(t("too_long", { max: MAX_CHARS }), "error");
    return;
  }
  state.sending = true;
  refreshSendButton();
  const client_msg_id = clientMsgId(id, text);
  try {
    await api("POST", `${path.conversation(id)}/messages`, { text, confirm, client_msg_id });
    unanswered = null;
    if (state.selectedId === id && el.replyInput.value.replace(/\r\n?/g, "\n").trim() === text) {
      el.replyInput.value = "";
      autosize();
    }
    state.drafts.delete(id);
    shell.refreshSoon();
  } catch (error) {
    if (definite(error)) unanswered = null;
    if (error instanceof ApiError && error.status === 502 && error.code === "not_delivered") {
      notDelivered(id, text, error.detail);
    } else if (error instanceof ApiError && error.code === "reply_maybe_sent") {
      toast(errorText(error), "error");
      shell.refreshSoon();
    } else if (error instanceof ApiError && error.status === 409 && error.code === "forbidden_language") {
      warnForbidden(text, Array.isArray(error.detail.phrases) ? error.detail.phrases : []);
    } else if (!(error instanceof ApiError && error.status === 401)) {
      toast(conflictText(error), "error");
      shell.refreshSoon();
    }
  } finally {
    state.sending = false;
    refreshSendButton();
  }
}

// A reply the platform did not wholly take (the 502's `parts`): only the parts that surely did not go are put
// back in the draft (those sent, or perhaps sent, are not sent twice by a resend), and the agent is told what
// went, what is unconfirmed, whether the customer still waits for an answer, and whether 留言 stay open.
export function notDelivered(id, text, detail) {
  const parts = Array.isArray(detail.parts) ? detail.parts : [];
  const count = (delivery) => parts.filter((part) => part.delivery === delivery).length;
  const undelivered = parts.filter((part) => part.delivery === "undelivered").map((part) => String(part.text ?? ""));
  const sent = count("sent");
  const unconfirmed = count("unconfirmed");
  const lines = [];
  if (undelivered.length) {
    lines.push(sent ? t("not_delivered_some", { sent, left: undelivered.length }) : t("not_delivered_none"));
  }
  if (unconfirmed) lines.push(t("not_delivered_unconfirmed", { n: unconfirmed }));
  if (detail.refused_for_good) lines.push(t("not_delivered_final"));
  else if (!detail.counted) lines.push(t("not_delivered_waiting"));
  if (detail.left_messages_open > 0) lines.push(t("not_delivered_left_open"));
  const draft = undelivered.join("\n");
  if (state.selectedId === id && el.replyInput.value.replace(/\r\n?/g, "\n").trim() === text) {
    el.replyInput.value = draft;
    autosize();
  }
  if (draft) state.drafts.set(id, draft);
  else state.drafts.delete(id);
  toast(lines.join(""), "error");
  shell.refreshSoon();
}

export function submitReply() {
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
  shell.typingPing(state.selectedId);
});
el.replyForm.addEventListener("submit", (event) => {
  event.preventDefault();
  submitReply();
});

// --- the forbidden-language warning ---

export function warnForbidden(text, phrases) {
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

export async function loadCanned() {
  try {
    const data = await api("GET", "/canned");
    state.canned = Array.isArray(data.replies) ? data.replies : [];
  } catch (_) {
    state.canned = [];
  }
  renderCanned();
}

export function renderCanned() {
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

export function toggleCanned(open) {
  const show = open ?? el.cannedPanel.hidden;
  el.cannedPanel.hidden = !show;
  el.cannedToggle.setAttribute("aria-expanded", String(show));
  if (show) {
    el.cannedFilter.value = "";
    renderCanned();
    el.cannedFilter.focus();
  }
}

export function insertCanned(text) {
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
    shell.refreshSoon();
  } catch (error) {
    el.handBack.disabled = false;
    if (!(error instanceof ApiError && error.status === 401)) toast(conflictText(error), "error");
    shell.refreshSoon();
  }
});

export function fillTransferTargets() {
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
    shell.refreshSoon();
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
    shell.refreshSoon();
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 401)) toast(errorText(error), "error");
  } finally {
    el.noteSave.disabled = false;
  }
});
