// The supervisor view: today's figures (the customer's 15 s and 20 s promises), conversations about to
// miss their deadline, held conversations whose latest reply from a person did not reach the customer, and
// every agent's presence and load. Supervisors and admins only.
import { ApiError } from "../lib/api.js";
import { idOf } from "../lib/dom.js";
import { label, t } from "../lib/texts.js";
import {
  URGENT_S, api, el, errorText, isSupervisor, loadAgents, personName, rate, shell, state, toast,
} from "./core.js";
import { deliveryTexts } from "./desk.js";

// --- the supervisor view ---

// A row of a list of conversations: the button opening it in the desk, who holds or wrote, then `last`.
function conversationRow(row, last) {
  const tr = document.createElement("tr");
  const conv = document.createElement("td");
  const open = document.createElement("button");
  open.type = "button";
  open.className = "btn btn-ghost btn-small";
  open.textContent = `#${idOf(row.conversation_id)}`;
  open.addEventListener("click", () => {
    shell.openConversation(idOf(row.conversation_id));
  });
  conv.appendChild(open);
  const who = document.createElement("td");
  who.textContent = personName(row.agent);
  tr.append(conv, who, last);
  return tr;
}

export async function loadSupervisor() {
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
  // the customer's figures: a person's own answer within 20 s, a person within 15 s of asking (queue
  // included), out of every promise that fell due today, counted as the response_time report counts them:
  // a customer never reached or never answered is a broken promise, not one left out
  const answered = today.answered_kept ?? 0;
  const asked = today.answered_due ?? 0;
  const reached = today.reached_kept ?? 0;
  const handovers = today.reached_due ?? 0;
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
    const left = document.createElement("td");
    const seconds = Math.max(0, Math.ceil(Number(row.seconds_left) || 0));
    left.className = seconds < URGENT_S ? "left urgent" : "left";
    left.textContent = t("seconds", { s: seconds });
    return conversationRow(row, left);
  }));
  el.nearEmpty.hidden = near.length > 0;

  // replies a person gave that did not reach the customer (or may not have), marked as on the message itself
  const unsent = Array.isArray(data.replies_not_delivered) ? data.replies_not_delivered : [];
  el.unsentBody.replaceChildren(...unsent.map((row) => {
    const cell = document.createElement("td");
    const [stateText, reason] = deliveryTexts(row.delivery, row.failure_category);
    const tag = document.createElement("span");
    tag.className = `delivery-tag ${row.delivery}`;
    tag.textContent = stateText;
    cell.append(tag, reason ? ` · ${reason}` : "");
    return conversationRow(row, cell);
  }));
  el.unsentEmpty.hidden = unsent.length > 0;

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
