// Small DOM helpers shared by the console's views and panels.

// Lists are rebuilt on every refresh; a keyboard user's focus moves to the rebuilt entry.
export function focusedIn(list, selector) {
  const active = document.activeElement;
  const entry = active && list.contains(active) ? active.closest(selector) : null;
  return entry ? entry.dataset.id : null;
}

export function refocus(list, selector, id, control) {
  if (id === null) return;
  const entry = [...list.querySelectorAll(selector)].find((node) => node.dataset.id === id);
  const target = entry && entry.querySelector(control);
  if (target && !target.disabled) target.focus();
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
