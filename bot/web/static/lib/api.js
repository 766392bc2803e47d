// The JSON API client shared by the console, its panels and the chat window.
//
//   const api = createApi({ base: "/api/agent", headers: () => ({ "X-CSRF-Token": csrf }) });
//   const data = await api("POST", "/presence", { presence: "away" });  // base + path
//   await api("GET", "/api/cases");                                     // paths under /api/ as given
//
// A failed call throws an `ApiError` with `status` (0: no answer: network down or timed out), `code` (the
// server's error code) and `message`. The server's error shape is `{"error": {"code", "message"}}`; the
// older `{"error": "code or sentence"}` is read too. Extra fields of the error or the answer (`allowed`,
// `phrases`) are in `error.detail`. `errorText(error, fallback)` is the Chinese label of the code when the page has
// one (`error_<code>` in its scripts_zh texts), else `fallback`.
// `onAnswer(data, response)` sees every answer (the console syncs its clock from `now`), `onUnauthorized`
// every 401.

import { TEXTS } from "./texts.js";

const TIMEOUT_MS = 15000;

export class ApiError extends Error {
  constructor(status, body) {
    const data = body && typeof body === "object" ? body : {};
    const problem = data.error && typeof data.error === "object" ? data.error : { code: data.error };
    const code = typeof problem.code === "string" ? problem.code : "";
    super(typeof problem.message === "string" && problem.message ? problem.message : code || `HTTP ${status}`);
    this.status = status;
    this.code = code;
    this.body = body;
    const { error: _, ...rest } = data;
    const { code: _code, message: _message, ...extra } = problem; // e.g. `allowed`, `phrases`
    this.detail = { ...rest, ...extra };
  }
}

export function errorText(error, fallback) {
  const code = error && error.code;
  if (code && `error_${code}` in TEXTS) return TEXTS[`error_${code}`];
  return fallback;
}

export function createApi({ base = "", headers = () => ({}), timeoutMs = TIMEOUT_MS, onAnswer = () => {},
  onUnauthorized = () => {} } = {}) {
  return async function api(method, path, body) {
    const sent = { Accept: "application/json", ...headers(method) };
    if (body !== undefined) sent["Content-Type"] = "application/json";
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    let response;
    try {
      response = await fetch(path.startsWith("/api/") ? path : base + path, {
        method, headers: sent, credentials: "same-origin", cache: "no-store", signal: controller.signal,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (_) {
      throw new ApiError(0, null);
    } finally {
      clearTimeout(timer);
    }
    let data = null;
    try {
      data = await response.json();
    } catch (_) {
      // an empty or non-JSON body (a proxy's error page): the status says enough
    }
    onAnswer(data, response);
    if (response.status === 401) onUnauthorized(path);
    if (!response.ok) throw new ApiError(response.status, data);
    return data || {};
  };
}
