// The console's 回访 tab (handlers/callbacks, docs/rules.md R-CALLBACK): callbacks due now, the
// outcome form for phone calls, and this month's figures. Texts: scripts_zh/callbacks_console.yaml.

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  for (const child of children) node.append(child ?? "");
  return node;
}

function share(value) {
  return value === null || value === undefined ? "-" : `${(value * 100).toFixed(1)}%`;
}

function localTime(iso) {
  return new Date(iso).toLocaleString("zh-CN", { hour12: false });
}

function outcomeForm(task, ctx, done) {
  const t = ctx.texts;
  const form = el("form", { class: "callback-outcome", "data-task": String(task.id) });
  const reached = el("select", { name: "reached" },
    el("option", { value: "yes" }, t.reached), el("option", { value: "no" }, t.not_reached));
  const rating = el("select", { name: "rating" }, el("option", { value: "" }, "-"),
    ...["satisfied", "neutral", "unsatisfied"].map((r) => el("option", { value: r }, t[`rating_${r}`])));
  const score = el("input", { name: "score", type: "number", min: "1", max: "5" });
  const declined = el("input", { name: "declined", type: "checkbox" });
  const comment = el("input", { name: "comment", maxlength: "1000" });
  const feedback = el("input", { name: "feedback", maxlength: "2000" });
  const again = el("input", { name: "call_again_at", type: "datetime-local" });
  const status = el("span", { class: "status", role: "status" });
  form.append(
    el("label", {}, t.record, " ", reached), el("label", {}, t.rating, " ", rating),
    el("label", {}, t.score, " ", score), el("label", {}, declined, t.declined),
    el("label", {}, t.comment, " ", comment), el("label", {}, t.feedback, " ", feedback),
    el("label", {}, t.call_again_at, " ", again), el("button", { type: "submit" }, t.save), status);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = { reached: reached.value === "yes", comment: comment.value, feedback: feedback.value,
      declined: declined.checked };
    if (rating.value) body.rating = rating.value;
    if (score.value) body.score = Number(score.value);
    if (again.value) body.call_again_at = new Date(again.value).toISOString();
    try {
      await ctx.api("POST", `/api/callbacks/${task.id}/outcome`, body);
      status.textContent = t.saved;
      done();
    } catch (error) {
      status.textContent = t.error;
    }
  });
  return form;
}

function taskRow(task, ctx, reload) {
  const t = ctx.texts;
  const phone = el("span", { class: "phone" }, task.customer.phone ?? "-");
  const cells = [
    task.kinds.map((k) => t[`kind_${k}`]).join("、"), task.customer.name ?? `#${task.customer.id}`, phone,
    t[`channel_${task.way}`], localTime(task.due_at), localTime(task.deadline_at), String(task.attempts),
  ].map((text) => el("td", {}, text));
  const row = el("tr", { "data-task": String(task.id) }, ...cells);
  if (task.way === "phone") {
    const reveal = el("button", { type: "button", class: "show-phone" }, t.show_phone);
    reveal.addEventListener("click", async () => {
      try {
        const contact = await ctx.api("POST", `/api/callbacks/${task.id}/contact`);
        phone.textContent = contact.phone ?? "-";
      } catch (error) {
        phone.textContent = t.error;
      }
    });
    row.append(el("td", {}, reveal, outcomeForm(task, ctx, reload)));
  } else {
    row.append(el("td"));
  }
  return row;
}

function statsTable(figures, ctx) {
  const t = ctx.texts;
  const heads = ["col_kind", "col_due_count", "col_reached", "col_on_time", "col_satisfied",
    "col_success_rate", "col_compliance", "col_satisfaction"];
  const line = (kind, label, f) => el("tr", { "data-kind": kind }, ...[label, f.due, f.reached, f.on_time, f.satisfied,
    share(f.success_rate), share(f.compliance), share(f.satisfaction)].map((v) => el("td", {}, String(v))));
  return el("table", { class: "callback-stats" },
    el("thead", {}, el("tr", {}, ...heads.map((h) => el("th", {}, t[h])))),
    el("tbody", {}, ...Object.entries(figures.kinds).map(([kind, f]) => line(kind, t[`kind_${kind}`], f)),
      line("all", t.all_kinds, figures.all)));
}

export default {
  mount(container, ctx) {
    const t = ctx.texts;
    const list = el("section", { class: "callback-due" });
    const figures = el("section", { class: "callback-figures" });
    container.replaceChildren(el("h2", {}, t.due_title), list, el("h2", {}, t.stats_title), figures);

    async function load() {
      const [tasks, stats] = await Promise.all([
        ctx.api("GET", "/api/callbacks/due"), ctx.api("GET", "/api/callbacks/stats")]);
      if (!tasks.length) {
        list.replaceChildren(el("p", { class: "empty" }, t.empty));
      } else {
        const heads = ["col_kind", "col_customer", "col_phone", "col_channel", "col_due", "col_deadline",
          "col_attempts", "record"];
        list.replaceChildren(el("table", {},
          el("thead", {}, el("tr", {}, ...heads.map((h) => el("th", {}, t[h])))),
          el("tbody", {}, ...tasks.map((task) => taskRow(task, ctx, load)))));
      }
      figures.replaceChildren(el("p", {}, stats.month), statsTable(stats, ctx));
    }

    load();
    return { show: load };
  },
};
