// A WebSocket that stays up: reconnected with jittered exponential backoff after a drop, at once when
// the browser comes back online or the tab becomes visible. Used by the chat window (/ws/webchat) and
// the agent console (/ws/agent), and given to console panels as `ctx.live`.
//
//   const socket = live(() => "/ws/agent", { onEvent, onState });
//   socket.start(); socket.stop();
//
// `url()` may be async (the chat window fetches its visitor token first). `onEvent(event)` gets each
// message parsed as JSON (messages that are not JSON objects are dropped); `onState(state)` hears
// "connecting", "online" and "reconnecting"; `onDrop()` is called after an unexpected close; `onOpen()`
// each time the socket opens, the first time and after every reconnect: nothing published while no socket
// was open reaches this one, so a page fetches there what it missed.
// `on(type, listener)` adds a listener for events of one `type` and returns a function that removes it.

const RECONNECT_BASE_MS = 1000;
const RECONNECT_MAX_MS = 30000;

export function live(url, { onEvent = () => {}, onState = () => {}, onDrop = () => {}, onOpen = () => {} } = {}) {
  let socket = null;
  let failures = 0;
  let timer = 0;
  let running = false;
  let opening = false;
  const listeners = new Set();

  function deliver(raw) {
    let event;
    try {
      event = JSON.parse(raw);
    } catch (_) {
      return;
    }
    if (!event || typeof event !== "object") return;
    onEvent(event);
    for (const [type, listener] of listeners) {
      if (type === event.type || type === "*") listener(event);
    }
  }

  async function connect() {
    clearTimeout(timer);
    timer = 0;
    if (!running || socket || opening) return;
    opening = true;
    onState(failures ? "reconnecting" : "connecting");
    let ws;
    try {
      const path = await url();
      const scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
      ws = new WebSocket(`${scheme}//${window.location.host}${path}`);
    } catch (_) {
      opening = false;
      retry();
      return;
    }
    opening = false;
    if (!running) {
      ws.close();
      return;
    }
    socket = ws;
    ws.addEventListener("open", () => {
      if (socket !== ws) return;
      failures = 0;
      onState("online");
      onOpen();
    });
    ws.addEventListener("message", (event) => {
      if (socket === ws) deliver(event.data);
    });
    ws.addEventListener("close", () => {
      if (socket !== ws) return;
      socket = null;
      if (!running) return;
      onState("reconnecting");
      onDrop();
      retry();
    });
  }

  function retry() {
    if (timer || !running) return;
    const backoff = Math.min(RECONNECT_MAX_MS, RECONNECT_BASE_MS * 2 ** failures);
    failures = Math.min(failures + 1, 10);
    timer = setTimeout(connect, backoff * (0.75 + Math.random() * 0.5));
  }

  function now() {
    if (!running || socket) return;
    failures = 0;
    connect();
  }

  window.addEventListener("online", now);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") now();
  });

  return {
    start() {
      running = true;
      failures = 0;
      connect();
    },
    stop() {
      running = false;
      clearTimeout(timer);
      timer = 0;
      const ws = socket;
      socket = null;
      if (ws) ws.close();
      onState("connecting");
    },
    get connected() {
      return socket !== null && socket.readyState === WebSocket.OPEN;
    },
    on(type, listener) {
      const entry = [type, listener];
      listeners.add(entry);
      return () => listeners.delete(entry);
    },
  };
}
