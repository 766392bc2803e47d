// The console's complaints tab (docs/rules.md R-COMPLAINT): the complaints this staff member may see,
// most urgent step deadline first, with overdue / escalated / major marks; a complaint's detail with
// its timeline and tasks; the step actions the server says this role may take. Texts: ctx.texts.

const STEP_ACTIONS = {
  accept: [{ label: "action_accept", body: {} }],
  judge: [
    { label: "action_judge_yes", body: { stands: true }, fields: ["reply_by"] },
    { label: "action_judge_no", body: { stands: false }, needsNote: true },
  ],
  investigate: [{ label: "action_investigate", body: {}, fields: ["cause", "solution"] }],
  approve: [
    { label: "action_approve_yes", body: { approved: true }, fields: ["solution"] },
    { label: "action_approve_no", body: { approved: false } },
  ],
  handle: [
    { label: "action_handle_yes", body: { accepted: true } },
    { label: "action_handle_no", body: { accepted: false } },
  ],
  review: [{ label: "action_review", body: {}, needsNote: true }],
};

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (name === "onclick") node.addEventListener("click", value);
    else node.setAttribute(name, value);
  }
  for (const child of children) node.append(child instanceof Node ? child : String(child ?? ""));
  return node;
}

function when(iso) {
  if (!iso) return "-";
  const d = new Date(iso);
  const pad = (n) => String(n).padStart(2, "0");
  return `${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export default {
  // At login: a major complaint or an overdue step is told at once, whatever tab is open (R-COMPLAINT-9).
  // The server sends these only to staff the complaint is not about.
  watch(ctx) {
    const off = [
      ctx.live.on("complaint.major", (event) => ctx.toast(`${ctx.texts.alert_major}${event.number}`, "error")),
      ctx.live.on("complaint.overdue", (event) => ctx.toast(`${ctx.texts.alert_overdue}${event.number}`)),
    ];
    return { stop: () => off.forEach((remove) => remove()) };
  },

  mount(container, ctx) {
    const t = (key) => ctx.texts[key] ?? key;
    const state = { open: true, major: false };
    const list = el("div", { class: "complaints-list" });
    const detail = el("div", { class: "complaints-detail" });
    const message = el("div", { class: "complaints-message", role: "status" });

    const openBox = el("input", { type: "checkbox", checked: "" });
    openBox.addEventListener("change", () => { state.open = openBox.checked; load(); });
    const majorBox = el("input", { type: "checkbox" });
    majorBox.addEventListener("change", () => { state.major = majorBox.checked; load(); });
    container.append(
      el("h2", {}, t("title")),
      el("div", { class: "complaints-filters" },
        el("label", {}, openBox, t("filter_open")), el("label", {}, majorBox, t("filter_major")),
        el("button", { type: "button", onclick: () => load() }, t("refresh"))),
      message, list, detail,
    );

    function fail(error) {
      const code = error && error.code;
      message.textContent = code === "not_allowed" ? t("error_not_allowed")
        : code === "wrong_step" ? t("error_wrong_step") : t("error_other");
    }

    async function load() {
      message.textContent = "";
      const params = new URLSearchParams();
      if (state.open) params.set("open", "true");
      if (state.major) params.set("severity", "major");
      let rows;
      try { rows = await ctx.api("GET", `/api/complaints?${params}`); } catch (error) { fail(error); return; }
      list.replaceChildren();
      if (!rows.length) { list.append(el("p", {}, t("empty"))); return; }
      const head = el("tr", {}, ...["col_number", "col_step", "col_due", "col_category", "col_severity", "col_order"]
        .map((key) => el("th", {}, t(key))));
      const table = el("table", { class: "complaints-table" }, head);
      for (const row of rows) {
        const marks = [row.overdue ? t("overdue") : "", row.escalated_to ? t("escalated") : ""].filter(Boolean).join(" ");
        const link = el("a", { href: "#", "data-number": row.number }, row.number);
        link.addEventListener("click", (event) => { event.preventDefault(); show(row.number); });
        table.append(el("tr", { class: row.overdue ? "overdue" : "" },
          el("td", {}, link), el("td", {}, t(`step_${row.step}`)), el("td", {}, `${when(row.step_due_at)} ${marks}`),
          el("td", {}, t(`category_${row.category}`)), el("td", {}, row.severity === "major" ? t("major") : ""),
          el("td", {}, row.order_no || "-")));
      }
      list.append(table);
    }

    async function act(number, action, option, inputs, note) {
      const body = { action, ...option.body, note: note.value };
      for (const [name, input] of Object.entries(inputs)) if (input.value) body[name] = input.value;
      if (body.reply_by) body.reply_by = new Date(body.reply_by).toISOString();
      try { render(await ctx.api("POST", `/api/complaints/${number}/actions`, body)); load(); } catch (error) { fail(error); }
    }

    function render(c) {
      detail.replaceChildren(
        el("h3", {}, `${c.number} · ${t(`step_${c.step}`)}`, c.severity === "major" ? ` · ${t("major")}` : "",
          c.serious ? ` · ${t("serious")}` : ""),
        el("p", {}, `${t("field_content")}: ${c.content}`),
        el("p", {}, `${t("field_outcome")}: ${c.desired_outcome ?? "-"}`),
        el("p", {}, `${t("field_contact")}: ${c.contact ?? "-"}`),
        el("p", {}, `${t("field_reply_by")}: ${when(c.reply_by)}`),
        el("p", {}, `${t("field_cause")}: ${c.cause ?? "-"}`),
        el("p", {}, `${t("field_solution")}: ${c.solution ?? "-"}`),
      );
      const note = el("textarea", { "aria-label": t("field_note"), placeholder: t("field_note") });
      const buttons = el("div", { class: "complaints-actions" });
      for (const action of c.actions) {
        for (const option of STEP_ACTIONS[action] ?? []) {
          const inputs = {};
          for (const name of option.fields ?? []) {
            inputs[name] = el("input", { type: name === "reply_by" ? "datetime-local" : "text", placeholder: t(`field_${name}`) });
            buttons.append(inputs[name]);
          }
          buttons.append(el("button", { type: "button", "data-action": action,
            onclick: () => act(c.number, action, option, inputs, note) }, t(option.label)));
        }
      }
      if (c.severity !== "major") {
        buttons.append(el("button", { type: "button", onclick: async () => {
          try { render(await ctx.api("POST", `/api/complaints/${c.number}/major`, { reason: "staff", note: note.value })); }
          catch (error) { fail(error); }
        } }, t("action_major")));
      }
      detail.append(note, buttons, el("h4", {}, t("tasks")));
      for (const task of c.tasks) {
        const done = task.done_at ? ` · ${t("task_done")}` : "";
        const item = el("li", {}, `${t(`task_${task.kind}`)} · ${when(task.due_at)}${done}`);
        if (!task.done_at) {
          item.append(el("button", { type: "button", onclick: async () => {
            try { render(await ctx.api("POST", `/api/complaints/${c.number}/tasks/${task.kind}`, { note: note.value })); }
            catch (error) { fail(error); }
          } }, t("task_do")));
        }
        detail.append(item);
      }
      const timeline = el("ol", { class: "complaints-timeline" });
      for (const step of c.steps) {
        const moved = step.to_step && step.to_step !== step.from_step ? ` → ${t(`step_${step.to_step}`)}` : "";
        timeline.append(el("li", {}, `${when(step.at)} ${step.actor} ${t(`log_${step.action}`)}${moved} ${step.note}`));
      }
      detail.append(el("h4", {}, t("timeline")), timeline);
    }

    async function show(number) {
      try { render(await ctx.api("GET", `/api/complaints/${number}`)); } catch (error) { fail(error); }
    }

    load();
    return { show: load };
  },
};
