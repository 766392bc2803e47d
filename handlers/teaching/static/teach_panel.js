// The console's 教机器人 tab (issue 13, docs/intents.md): customer messages the bot could not place
// and messages of conversations a person handled, each with the bot's guess. One click confirms the
// guess (「对」) or the picker chooses the right intent; the label becomes a learned example every
// worker uses at once. Texts: scripts_zh/teach_console.yaml (ctx.texts); the intents' Chinese names
// from GET /api/intents/labels. Its styles are in the console's stylesheet (bot/web/static/console.css,
// "教机器人"): the console's Content-Security-Policy refuses a <style> element a script inserts.

import { html } from "/static/lib/dom.js";
import { fill } from "/static/lib/texts.js";

function item(entry, t, labelOf) {
  const options = [...labelOf.entries()].map(([name, label]) => html`<option value="${name}">${label}</option>`);
  const guess = html`${fill(t.guess, { intent: labelOf.get(entry.guess) ?? entry.guess,
                                        percent: Math.round(entry.confidence * 100) })}`;
  const li = document.createElement("li");
  li.className = "teach-item";
  li.dataset.messageId = String(entry.message_id);
  li.innerHTML = html`<p class="teach-text">${entry.text}</p>`
    + `<div class="teach-row"><span class="teach-meta">${guess}</span>`
    + html`<span class="teach-tag">${entry.asked ? t.asked : t.handled}</span>`
    + html`<button type="button" class="btn btn-primary btn-small teach-confirm">${t.confirm}</button>`
    + html`<select class="teach-pick" aria-label="${t.correct}"><option value="">${t.correct}</option>`
    + options.join("") + `</select><span class="teach-status" role="status"></span></div>`;
  return li;
}

function wire(li, entry, ctx, labelOf) {
  const t = ctx.texts;
  const confirm = li.querySelector(".teach-confirm");
  const picker = li.querySelector(".teach-pick");
  const status = li.querySelector(".teach-status");
  async function teach(intent) {
    confirm.disabled = picker.disabled = true;
    status.removeAttribute("data-error");
    try {
      await ctx.api("POST", "/api/intents/teach", { message_id: entry.message_id, intent });
      status.textContent = fill(t.saved, { intent: labelOf.get(intent) ?? intent });
      li.dataset.taught = intent;
    } catch (_) {
      status.textContent = t.error;
      status.setAttribute("data-error", "");
      confirm.disabled = picker.disabled = false;
    }
  }
  confirm.addEventListener("click", () => teach(entry.guess));
  picker.addEventListener("change", () => { if (picker.value) teach(picker.value); });
}

export default {
  async mount(container, ctx) {
    const t = ctx.texts;
    container.innerHTML = html`<h2>${t.title}</h2><p class="teach-meta">${t.hint}</p>`
      + html`<ul class="teach-list" id="teach-list"></ul><p class="empty" id="teach-empty" hidden>${t.empty}</p>`;
    const list = container.querySelector("#teach-list");
    const empty = container.querySelector("#teach-empty");
    const { intents } = await ctx.api("GET", "/api/intents/labels");
    const labelOf = new Map(intents.map((intent) => [intent.name, intent.label]));

    async function load() {
      const { items } = await ctx.api("GET", "/api/intents/review");
      list.replaceChildren(...items.map((entry) => {
        const li = item(entry, t, labelOf);
        wire(li, entry, ctx, labelOf);
        return li;
      }));
      empty.hidden = items.length > 0;
    }

    await load();
    return {
      show() { load().catch(() => ctx.toast(t.error, "error")); },
      stop() {},
    };
  },
};
