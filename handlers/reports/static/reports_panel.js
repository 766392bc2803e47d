// The console's reports tab (docs/rules.md R-REPORT-7): choose a report, the days, the bucket and the
// filters; the table comes from GET /api/reports/{name}, the charts are SVG drawn by the bot from the
// same report (GET /api/reports/{name}/chart.svg), and the export is the same reports as XLSX. The
// stored weekly and monthly workbooks are listed for download. Every word comes from ctx.texts
// (scripts_zh/reports_console.yaml); the column headings and titles come with the report itself.

function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value !== undefined && value !== null) node.setAttribute(name, value);
  }
  node.append(...children);
  return node;
}

function field(label, control) {
  return element("label", { class: "reports-field" }, label, " ", control);
}

function select(name, options) {
  const node = element("select", { name });
  for (const [value, label] of options) node.append(element("option", { value }, label));
  return node;
}

export function formatCell(kind, value) {
  if (value === null || value === undefined) return "-";
  if (kind === "share") return `${(value * 100).toFixed(1)}%`;
  if (kind === "money") return (value / 100).toFixed(2);
  return String(value);
}

export default {
  async mount(container, ctx) {
    const t = ctx.texts;
    container.replaceChildren();
    const listing = await ctx.api("GET", "/api/reports");
    const form = element("form", { class: "reports-filters" });
    const report = select("report", listing.reports.map((r) => [r.name, r.title]));
    const from = element("input", { type: "date", name: "from" }); // empty: the server's month so far
    const to = element("input", { type: "date", name: "to" });
    const bucket = select("bucket", [["day", t.bucket_day], ["week", t.bucket_week], ["month", t.bucket_month]]);
    const channel = select("channel", [["", t.all], ...listing.channels.map((c) => [c, c])]);
    const agent = select("agent", [["", t.all], ...listing.agents.map((a) => [String(a.id), a.name])]);
    const show = element("button", { type: "submit" }, t.show);
    const exportLink = element("a", { class: "reports-export" }, t.export);
    form.append(field(t.report, report), field(t.from, from), field(t.to, to), field(t.bucket, bucket),
      field(t.channel, channel), field(t.agent, agent), show, exportLink);
    const status = element("p", { class: "reports-status", role: "status" });
    const heading = element("h2", { class: "reports-title" });
    const charts = element("div", { class: "reports-charts" });
    const table = element("table", { class: "reports-table" });
    const stored = element("section", { class: "reports-stored" });
    container.append(element("h1", {}, t.title), form, status, heading, charts,
      element("div", { class: "reports-table-wrap" }, table), stored);

    // A filter the report declares not applicable is disabled and reads 不适用, and is never sent
    // (the API would refuse it with filter_not_applicable).
    function applicable(control, name, spec) {
      const off = spec.not_applicable.includes(name);
      control.disabled = off;
      control.options[0].textContent = off ? t.not_applicable : t.all;
      if (off) control.value = "";
    }

    function filters() {
      const spec = listing.reports.find((r) => r.name === report.value);
      applicable(channel, "channel", spec);
      applicable(agent, "agent", spec);
      const query = new URLSearchParams({ bucket: bucket.value });
      if (from.value) query.set("from", from.value);
      if (to.value) query.set("to", to.value);
      if (channel.value && !channel.disabled) query.set("channel", channel.value);
      if (agent.value && !agent.disabled) query.set("agent", agent.value);
      return query;
    }

    function drawTable(data) {
      const head = element("tr", {}, ...data.columns.map((c) => element("th", { scope: "col" }, c.label)));
      const body = data.rows.map((row) => element("tr", {},
        ...data.columns.map((c) => element("td", { class: `kind-${c.kind}` }, formatCell(c.kind, row[c.key])))));
      const totals = element("tr", { class: "reports-totals" }, ...data.columns.map((c, index) =>
        element("td", { class: `kind-${c.kind}` },
          index === 0 && c.kind === "text" ? t.total : formatCell(c.kind, data.totals[c.key]))));
      table.replaceChildren(element("thead", {}, head), element("tbody", {}, ...body, totals));
    }

    function drawCharts(data, query) {
      charts.replaceChildren();
      for (const [measure, kind, label] of [["counts", "count", t.counts_chart], ["shares", "share", t.shares_chart]]) {
        if (!data.columns.some((c) => c.kind === kind)) continue;
        const chartQuery = new URLSearchParams(query);
        chartQuery.set("measure", measure);
        charts.append(element("figure", { class: "reports-chart" },
          element("img", { src: `/api/reports/${data.name}/chart.svg?${chartQuery}`, alt: `${data.title} ${label}` }),
          element("figcaption", {}, label)));
      }
    }

    async function load() {
      const query = filters();
      exportLink.href = `/api/report-workbook?${query}`;
      status.textContent = t.loading;
      try {
        const data = await ctx.api("GET", `/api/reports/${report.value}?${query}`);
        heading.textContent = `${data.title}  ${data.first_day} ~ ${data.last_day}`;
        from.value = data.first_day;
        to.value = data.last_day;
        drawTable(data);
        drawCharts(data, query);
        status.textContent = data.rows.length ? "" : t.no_data;
      } catch (error) {
        const known = { invalid_period: t.invalid_period, filter_not_applicable: t.filter_not_applicable };
        status.textContent = error.status === 403 ? t.forbidden : known[error.code] || t.error;
      }
    }

    async function loadStored() {
      const { files } = await ctx.api("GET", "/api/report-files");
      const items = files.map((f) => element("li", {}, `${f.kind === "monthly" ? t.monthly : t.weekly} ${f.period} `,
        element("a", { href: `/api/report-files/${f.name}`, download: f.name }, t.download)));
      stored.replaceChildren(element("h3", {}, t.stored), items.length ? element("ul", {}, ...items) : element("p", {}, t.stored_none));
    }

    form.addEventListener("submit", (event) => { event.preventDefault(); load(); });
    report.addEventListener("change", () => filters());
    await Promise.all([load(), loadStored()]);
    return { show: () => { load(); loadStored(); } };
  },
};
