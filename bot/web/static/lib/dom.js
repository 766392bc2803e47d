// Small DOM helpers shared by the console's views and panels.

// Lists are refreshed on every event. An entry already shown keeps its node (the caller updates it in
// place): a press and its release are a click only on one and the same element, so a refresh between them
// must not put a new one under the pointer. Nodes are moved only when their place changed, and a keyboard
// user's focus stays where it was. `create(id)` makes the node of an entry not shown yet.
export function keepChildren(list, ids, create) {
  const shown = new Map([...list.children].map((node) => [node.dataset.id, node]));
  const nodes = ids.map((id) => shown.get(id) || create(id));
  const kept = new Set(nodes);
  const active = document.activeElement;
  for (const node of shown.values()) if (!kept.has(node)) node.remove();
  nodes.forEach((node, position) => {
    const there = list.children[position];
    if (there !== node) list.insertBefore(node, there || null);
  });
  if (active && active !== document.activeElement && list.contains(active)) active.focus();
  return nodes;
}

// A panel's markup from a template literal: every interpolated value is escaped, so texts from
// scripts_zh (or anything else) can never become markup.
const ESCAPES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
export function html(strings, ...values) {
  return strings.reduce((out, part, i) => out + part + (i < values.length
    ? String(values[i] ?? "").replace(/[&<>"']/g, (c) => ESCAPES[c]) : ""), "");
}

export const pad = (n) => String(n).padStart(2, "0");
export const idOf = (value) => (value === null || value === undefined ? "" : String(value));
