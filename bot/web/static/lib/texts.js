// The page's Chinese wording, from scripts_zh/ (bot/web/ui_texts.py): the server renders it into the
// page as JSON (`<script type="application/json" id="ui-texts">`), so no Chinese sits in the scripts.
//
//   t("loginWrong")                 -> the text
//   t("sendsLeft", { n: 3 })        -> `{n}` filled in
//   label("role_", "agent")         -> the text of `role_agent`, or the code itself when there is none
//
// A missing name shows the name itself (tests/test_ui_texts.py keeps that from happening).

function read() {
  const node = document.getElementById("ui-texts");
  try {
    return node ? JSON.parse(node.textContent) : {};
  } catch (_) {
    return {};
  }
}

export const TEXTS = read();

export function fill(text, fields = {}) {
  return String(text).replace(/\{(\w+)\}/g, (whole, name) => (name in fields ? String(fields[name]) : whole));
}

export function t(name, fields) {
  const text = name in TEXTS ? TEXTS[name] : name;
  return fields ? fill(text, fields) : text;
}

export function label(prefix, code) {
  const key = prefix + String(code ?? "");
  return key in TEXTS ? TEXTS[key] : String(code ?? "");
}
