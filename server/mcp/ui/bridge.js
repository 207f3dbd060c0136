// The app side of the MCP Apps postMessage protocol (SEP-1865, 2026-01-26), written by hand: no SDK, no network.
// ui/initialize -> ui/notifications/initialized; then the host sends tool-input and tool-result, and the app calls
// tools with tools/call (JSON-RPC over postMessage). Only messages from the parent window (the host) are read.
"use strict";

const Bridge = (() => {
  const WAIT_MS = 60000;
  const pending = new Map();
  const handlers = {};
  let nextId = 1;

  function post(message) {
    window.parent.postMessage(message, "*");
  }

  function request(method, params) {
    const id = nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error(`The host did not answer (${method}) within a minute; nothing was recorded.`));
      }, WAIT_MS);
      pending.set(id, { resolve, reject, timer });
      post({ jsonrpc: "2.0", id, method, params });
    });
  }

  function notify(method, params) {
    post({ jsonrpc: "2.0", method, params: params || {} });
  }

  function on(method, handler) {
    handlers[method] = handler;
  }

  function answer(message) {
    const waiting = pending.get(message.id);
    if (!waiting) return;
    pending.delete(message.id);
    clearTimeout(waiting.timer);
    if (message.error) {
      waiting.reject(new Error(message.error.message || "The host refused the request; nothing was recorded."));
    } else {
      waiting.resolve(message.result || {});
    }
  }

  window.addEventListener("message", (event) => {
    if (event.source !== window.parent) return;
    const message = event.data;
    if (!message || typeof message !== "object" || message.jsonrpc !== "2.0") return;
    if (message.method === undefined) {
      answer(message);
      return;
    }
    const handler = handlers[message.method];
    if (message.id !== undefined) {
      // A request from the host (ui/resource-teardown, ping): always answered, so the host never waits on us.
      Promise.resolve(handler ? handler(message.params || {}) : {}).then(
        (result) => post({ jsonrpc: "2.0", id: message.id, result: result || {} }),
        () => post({ jsonrpc: "2.0", id: message.id, result: {} }),
      );
      return;
    }
    if (handler) handler(message.params || {});
  });

  function theme(context) {
    const variables = (context.styles && context.styles.variables) || {};
    for (const [name, value] of Object.entries(variables)) {
      if (name.startsWith("--") && typeof value === "string") document.documentElement.style.setProperty(name, value);
    }
    if (context.theme === "dark" || context.theme === "light") document.documentElement.dataset.theme = context.theme;
  }

  function watchSize() {
    let last = "";
    const report = () => {
      const page = document.documentElement;
      const size = { width: Math.ceil(page.scrollWidth), height: Math.ceil(page.scrollHeight) };
      const key = `${size.width}x${size.height}`;
      if (key === last) return;
      last = key;
      notify("ui/notifications/size-changed", size);
    };
    new ResizeObserver(report).observe(document.body);
    report();
  }

  async function connect(name) {
    const init = await request("ui/initialize", {
      appInfo: { name, version: "1" },
      appCapabilities: {},
      protocolVersion: "2026-01-26",
    });
    theme(init.hostContext || {});
    notify("ui/notifications/initialized", {});
    watchSize();
    return init;
  }

  function callTool(name, args) {
    return request("tools/call", { name, arguments: args });
  }

  on("ui/notifications/host-context-changed", theme);
  on("ui/resource-teardown", () => ({}));
  on("ping", () => ({}));
  return { connect, callTool, request, on };
})();

// Elements are built with text nodes only: nothing the server or the host sends is ever parsed as HTML.
function h(tag, attributes, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "onclick") element.addEventListener("click", value);
    else element.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

function textOf(result) {
  return (result.content || [])
    .filter((block) => block && block.type === "text")
    .map((block) => block.text)
    .join(" ");
}

function show(root, ...nodes) {
  root.replaceChildren(...nodes.flat(Infinity).filter(Boolean));
}
