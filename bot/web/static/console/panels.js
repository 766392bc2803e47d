// Console panels contributed by areas (bot/console_panel.py, docs/architecture.md "Console panels").
//
// After login the console (console.js) calls `startPanels`, which asks which panels that person may
// open, adds one tab per panel beside the built-in ones (`#tab-<id>`, its view `#<id>-view`) and
// imports each panel's module. A panel module's default export is `{ mount(container, ctx) }`; `mount`
// runs on the tab's first opening and may return `{ show(), stop() }`: `show` is called each time the
// tab is opened again, `stop` at logout. It may also have `watch(ctx)`, called at login (before the tab
// is opened), to keep a badge on its tab; it may return `{ stop() }` too.
//
// ctx: `api(method, path, body)` calls the JSON API with the session and CSRF token and throws an
// Error carrying `status` and `code` (the server's error code) on failure; `texts` are the panel's
// Chinese texts from scripts_zh; `me` is the logged-in staff member; `live.on(type, listener)` hears
// the agent WebSocket's events; `t(name, fields)` the console's own texts (scripts_zh/console.yaml);
// `toast(text, kind)` a short notice; `agents()` the staff list; `tab` the panel's tab
// (`badge(count, label)`, `title(text)`, `hidden()`).

const running = []; // what `stopPanels` ends: { stop() } of watches and mounted panels
let session = 0; // a module that arrives after logout starts nothing

function tabOf(tab, view) {
  const badge = document.createElement("span");
  badge.className = "tab-badge";
  badge.id = `${view.dataset.panel}-badge`;
  badge.hidden = true;
  tab.append(badge);
  return {
    badge(count, label) {
      badge.textContent = String(count);
      badge.hidden = !count;
      if (label) tab.setAttribute("aria-label", label);
    },
    title(text) {
      badge.title = text;
    },
    hidden: () => view.hidden,
  };
}

export async function startPanels({ tabs, host, showBuiltIn, base }) {
  stopPanels();
  const mine = session;
  let list;
  try {
    list = (await base.api("GET", "/api/console/panels")).panels;
  } catch {
    return; // the built-in views still work; a reload retries
  }
  if (mine !== session) return;
  for (const panel of list) {
    const tab = document.createElement("button");
    tab.type = "button";
    tab.className = "tab";
    tab.id = `tab-${panel.id}`;
    tab.dataset.panel = panel.id;
    tab.setAttribute("aria-pressed", "false");
    tab.textContent = panel.label;
    tabs.append(tab);
    const view = document.createElement("main");
    view.className = `ext-panel ext-panel-${panel.id}`;
    view.id = `${panel.id}-view`;
    view.dataset.panel = panel.id;
    view.hidden = true;
    host.append(view);
    const ctx = { ...base, texts: panel.texts, tab: tabOf(tab, view) };
    const loading = import(panel.module);
    loading.then((module) => {
      if (mine !== session) return;
      const watching = module.default.watch?.(ctx);
      if (watching) running.push(watching);
    }).catch(() => {});
    let mounted = null;
    tab.addEventListener("click", async () => {
      showBuiltIn(null);
      for (const other of host.querySelectorAll(".ext-panel")) other.hidden = other !== view;
      for (const other of tabs.querySelectorAll(".tab")) other.setAttribute("aria-pressed", String(other === tab));
      if (mounted) {
        mounted.show?.();
        return;
      }
      mounted = (await (await loading).default.mount(view, ctx)) || {};
      running.push(mounted);
    });
  }
}

// Hides every panel (a built-in view was opened).
export function hidePanels(host) {
  for (const view of host.querySelectorAll(".ext-panel")) view.hidden = true;
}

// Logout: panels stop polling and leave the page, so nothing of this session stays for the next.
export function stopPanels() {
  session += 1;
  for (const item of running.splice(0)) item.stop?.();
  for (const old of document.querySelectorAll("[data-panel]")) old.remove();
}
