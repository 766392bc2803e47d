// Console panels contributed by areas (bot/console_panel.py, docs/architecture.md "Console panels").
//
// After console.js logs in it dispatches `csbot:console-ready` with the staff member and the CSRF
// token. This module then asks which panels that person may open, adds one tab per panel beside the
// built-in ones and imports each panel's module on first opening. A panel module's default export is
// `{ mount(container, ctx) }`; `mount` may return `{ show() }`, called each time the tab is opened
// again. `ctx.api(method, path, body)` calls the JSON API with the session and CSRF token and throws an
// Error carrying `status` and `code` (the server's error code) on failure; `ctx.texts` are the panel's
// Chinese texts from scripts_zh; `ctx.me` is the logged-in staff member.

const BUILT_IN_VIEWS = ["desk-view", "supervisor-view", "cases-view"];

function consoleApi(csrf) {
  return async function api(method, path, body) {
    const headers = { Accept: "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (method !== "GET" && csrf) headers["X-CSRF-Token"] = csrf;
    const response = await fetch(path, {
      method, headers, credentials: "same-origin", cache: "no-store",
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const data = response.status === 204 ? {} : await response.json().catch(() => ({}));
    if (!response.ok) {
      const problem = typeof data.error === "object" && data.error ? data.error : { code: String(data.error || "") };
      const error = new Error(problem.message || problem.code || String(response.status));
      error.status = response.status;
      error.code = problem.code || "";
      throw error;
    }
    return data;
  };
}

function showPanel(tabs, views, id) {
  for (const viewId of BUILT_IN_VIEWS) {
    const view = document.getElementById(viewId);
    if (view) view.hidden = true;
  }
  for (const [panelId, view] of views) view.hidden = panelId !== id;
  for (const tab of tabs.querySelectorAll(".tab")) tab.setAttribute("aria-pressed", String(tab.dataset.panel === id));
}

async function start({ me, csrf }) {
  const tabs = document.getElementById("tabs");
  const host = document.getElementById("console-view");
  if (!tabs || !host) return;
  for (const old of document.querySelectorAll("[data-panel]")) old.remove();
  const api = consoleApi(csrf);
  let list;
  try {
    list = (await api("GET", "/api/console/panels")).panels;
  } catch {
    return; // the built-in views still work; a reload retries
  }
  const views = new Map();
  const mounted = new Map();
  for (const panel of list) {
    const tab = document.createElement("button");
    tab.type = "button";
    tab.className = "tab";
    tab.dataset.panel = panel.id;
    tab.setAttribute("aria-pressed", "false");
    tab.textContent = panel.label;
    tabs.append(tab);
    const view = document.createElement("main");
    view.className = `ext-panel ext-panel-${panel.id}`;
    view.dataset.panel = panel.id;
    view.hidden = true;
    host.append(view);
    views.set(panel.id, view);
    tab.addEventListener("click", async (event) => {
      event.stopPropagation(); // console.js's own tab handler is for the built-in views
      showPanel(tabs, views, panel.id);
      if (mounted.has(panel.id)) {
        mounted.get(panel.id)?.show?.();
        return;
      }
      const module = await import(panel.module);
      mounted.set(panel.id, (await module.default.mount(view, { api, me, texts: panel.texts })) || null);
    });
  }
  tabs.addEventListener("click", (event) => {
    const tab = event.target.closest(".tab");
    if (tab && !tab.dataset.panel) for (const view of views.values()) view.hidden = true;
  });
}

document.addEventListener("csbot:console-ready", (event) => start(event.detail));
if (window.csbotConsoleReady) start(window.csbotConsoleReady);
