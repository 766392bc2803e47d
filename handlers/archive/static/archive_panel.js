// The customer archive panel (客户档案; docs/rules.md R-ARCHIVE). Search, read a record part by part
// (phones and addresses masked; a button reveals them, which the server logs), ask for access to
// the parts refused, and for supervisors: decide pending requests and read the access log.
// Every text comes from scripts_zh/archive_console.yaml (ctx.texts).

const SUPERVISORS = ["supervisor", "admin"];

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (name === "onclick") node.addEventListener("click", value);
    else if (name === "onsubmit") node.addEventListener("submit", value);
    else node.setAttribute(name, value);
  }
  for (const child of children) node.append(child instanceof Node ? child : document.createTextNode(String(child ?? "")));
  return node;
}

// A label from the texts, or the name itself when the panel has none (a section another area added).
function label(texts, prefix, name) {
  return texts[`${prefix}_${name}`] ?? name;
}

function cell(texts, value) {
  if (value === null || value === undefined || value === "") return "—";
  if (Array.isArray(value)) return value.map((item) => (typeof item === "object" ? Object.values(item).join(" ") : item)).join("，");
  if (typeof value === "object") return Object.entries(value).map(([k, v]) => `${label(texts, "factor", k)}: ${v}`).join("，");
  return String(value);
}

function rowsTable(texts, rows) {
  const table = el("table", { class: "archive-rows" });
  const fields = [...new Set(rows.flatMap((row) => Object.keys(row)))];
  table.append(el("tr", {}, ...fields.map((name) => el("th", {}, label(texts, "field", name)))));
  for (const row of rows) table.append(el("tr", {}, ...fields.map((name) => el("td", {}, cell(texts, row[name])))));
  return table;
}

export default {
  mount(container, ctx) {
    const t = (key) => ctx.texts[key] ?? key;
    const supervisor = SUPERVISORS.includes(ctx.me?.role);
    const status = el("p", { class: "archive-status", role: "status" });
    const results = el("ul", { class: "archive-results" });
    const view = el("section", { class: "archive-view" });
    const requests = el("section", { class: "archive-requests" });
    const auditBox = el("section", { class: "archive-audit" });
    const query = el("input", { type: "search", name: "q", placeholder: t("search_placeholder") });
    const form = el("form", { class: "archive-search" }, query, el("button", { type: "submit" }, t("search")));

    function fail(error) {
      status.textContent = error?.code === "access_denied" ? t("access_denied") : t("error");
    }

    async function search(event) {
      event.preventDefault();
      status.textContent = "";
      results.replaceChildren();
      try {
        const hits = await ctx.api("GET", `/api/archive/search?q=${encodeURIComponent(query.value)}`);
        if (!hits.length) status.textContent = t("no_results");
        for (const hit of hits) {
          const label = `${t("record")} #${hit.id} ${hit.name ?? ""} ${hit.phone ?? ""} ${t(`secrecy_${hit.secrecy}`)}`;
          results.append(el("li", {}, el("button", { type: "button", "data-person": hit.id, onclick: () => open(hit.id) }, label)));
        }
      } catch (error) {
        fail(error);
      }
    }

    async function reveal(personId, field, target) {
      const reason = window.prompt(t("reveal_reason")) ?? "";
      try {
        const answer = await ctx.api("POST", `/api/archive/${personId}/reveal`, { field, reason });
        target.textContent = answer.values.join("，") || t("empty");
      } catch (error) {
        fail(error);
      }
    }

    function requestForm(personId, parts) {
      const reason = el("textarea", { name: "reason", placeholder: t("request_reason"), required: "required" });
      const boxes = parts.map((part) => el("label", {}, el("input", { type: "checkbox", name: "part", value: part, checked: "checked" }), t(`part_${part}`)));
      return el("form", { class: "archive-request", onsubmit: async (event) => {
        event.preventDefault();
        const chosen = boxes.map((box) => box.querySelector("input")).filter((box) => box.checked).map((box) => box.value);
        try {
          await ctx.api("POST", "/api/access-requests", { person_id: personId, parts: chosen, reason: reason.value });
          status.textContent = t("request_sent");
        } catch (error) {
          fail(error);
        }
      } }, el("h4", {}, t("request_title")), ...boxes, reason, el("button", { type: "submit" }, t("request_send")));
    }

    async function open(personId) {
      status.textContent = "";
      view.replaceChildren();
      let archive;
      try {
        archive = await ctx.api("GET", `/api/archive/${personId}`);
      } catch (error) {
        fail(error);
        if (error?.code === "access_denied") view.append(requestForm(personId, ["contact", "profile", "orders", "cases", "notes"]));
        return;
      }
      view.append(el("h3", {}, `${t("record")} #${archive.id} · ${t(`secrecy_${archive.secrecy}`)}`));
      for (const part of archive.parts) {
        const box = el("div", { class: `archive-part archive-part-${part.name}`, "data-part": part.name },
          el("h4", {}, t(part.label_key)));
        if (part.internal) box.append(el("p", { class: "archive-internal" }, t("internal")));
        box.append(part.rows.length ? rowsTable(ctx.texts, part.rows) : el("p", {}, t("empty")));
        if (part.name === "contact") {
          const shown = el("span", { class: "archive-revealed" });
          box.append(el("button", { type: "button", class: "archive-reveal", onclick: () => reveal(archive.id, "phone", shown) }, t("reveal")),
            el("button", { type: "button", class: "archive-reveal-address", onclick: () => reveal(archive.id, "address", shown) }, t("reveal_address")),
            shown);
        }
        view.append(box);
      }
      if (archive.denied.length) {
        view.append(el("p", {}, t("denied") + archive.denied.map((name) => t(`part_${name}`)).join("，")), requestForm(archive.id, archive.denied));
      }
    }

    async function loadRequests() {
      requests.replaceChildren(el("h3", {}, t("requests_title")));
      let pending;
      try {
        pending = await ctx.api("GET", "/api/access-requests?status=pending");
      } catch (error) {
        fail(error);
        return;
      }
      if (!pending.length) requests.append(el("p", {}, t("no_requests")));
      for (const item of pending) {
        const decide = (verb) => async () => {
          try {
            await ctx.api("POST", `/api/access-requests/${item.id}/${verb}`, verb === "approve" ? {} : undefined);
            await loadRequests();
            await loadAudit();
          } catch (error) {
            fail(error);
          }
        };
        requests.append(el("div", { class: "archive-request-item", "data-request": item.id },
          `${item.requester} → ${t("record")} #${item.person_id}：${item.parts.map((p) => t(`part_${p}`)).join("，")}（${item.reason}）`,
          el("button", { type: "button", class: "approve", onclick: decide("approve") }, t("approve")),
          el("button", { type: "button", class: "refuse", onclick: decide("refuse") }, t("refuse"))));
      }
    }

    async function loadAudit() {
      auditBox.replaceChildren(el("h3", {}, t("audit_title")));
      try {
        const entries = await ctx.api("GET", "/api/audit?limit=100");
        const table = el("table", { class: "archive-audit-log" }, el("tr", {},
          ...["audit_at", "audit_staff", "audit_person", "audit_part", "audit_action", "audit_reason"].map((key) => el("th", {}, t(key)))));
        for (const entry of entries) {
          table.append(el("tr", {}, el("td", {}, new Date(entry.at).toLocaleString("zh-CN")), el("td", {}, entry.staff),
            el("td", {}, `#${entry.person_id}`), el("td", {}, label(ctx.texts, "part", entry.part.split(".")[0])),
            el("td", {}, label(ctx.texts, "action", entry.action)), el("td", {}, entry.reason)));
        }
        auditBox.append(table);
      } catch (error) {
        fail(error);
      }
    }

    function staffForm(cls, title, fields, button, send) {
      const inputs = fields.map((key) => el("input", { name: key, placeholder: t(key), required: "required" }));
      return el("form", { class: cls, onsubmit: async (event) => {
        event.preventDefault();
        try {
          status.textContent = await send(...inputs.map((input) => input.value.trim()));
        } catch (error) {
          fail(error);
        }
      } }, el("h3", {}, t(title)), ...inputs, el("button", { type: "submit" }, t(button)));
    }

    const leave = staffForm("archive-leave", "leave_title", ["leave_from", "leave_to"], "leave_send", async (from, to) => {
      const done = await ctx.api("POST", `/api/staff/${encodeURIComponent(from)}/leave`, { to });
      return t("leave_done").replace("{summary}", Object.entries(done.counts).map(([what, n]) => `${what} ${n}`).join("，"));
    });
    const revoke = staffForm("archive-revoke", "revoke_title", ["revoke_name"], "revoke_send", async (name) => {
      await ctx.api("POST", `/api/staff/${encodeURIComponent(name)}/revoke-sessions`);
      return t("revoke_done");
    });

    form.addEventListener("submit", search);
    container.append(form, status, results, view);
    if (supervisor) container.append(leave);
    if (ctx.me?.role === "admin") container.append(revoke);
    if (supervisor) {
      container.append(requests, auditBox);
      loadRequests();
      loadAudit();
    }
    return {
      show() {
        if (supervisor) {
          loadRequests();
          loadAudit();
        }
      },
    };
  },
};
