// gemini-nb chat widget (anywidget front end; plain ES module, no dependencies).
//
// State comes from the kernel as traits: `messages` (one dict per bubble), `busy`, `error`,
// `model`. While a reply streams the kernel sends {type: "delta", index, html} custom messages
// with the whole reply so far. We send {type: "send", text} and {type: "stop"}.
//
// Safety: model HTML was sanitized in Python before it got here; it is the only thing set as
// innerHTML. The user's text is always inserted as text.

const STICKY_PX = 48; // "at the bottom" tolerance for autoscroll

function el(tag, className, attrs = {}) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  return node;
}

function formatUsage(usage) {
  if (!usage) return "";
  let line = `${usage.input} in · ${usage.output} out tokens`;
  if (usage.thoughts) line += ` · ${usage.thoughts} thinking`;
  return line;
}

function bubble(message) {
  const role = message.role === "user" ? "user" : "model";
  const node = el("div", `gnb-chat-msg gnb-chat-${role}`, { "data-state": message.state || "done" });
  const body = el("div", "gnb-chat-body");
  if (role === "user") {
    body.textContent = message.text || "";
  } else {
    body.innerHTML = message.html || ""; // sanitized by the kernel (markdown_to_html)
  }
  node.append(body);

  const meta = el("div", "gnb-chat-meta");
  if (message.state === "streaming") {
    meta.textContent = "…";
  } else if (message.state === "stopped") {
    meta.textContent = "stopped · not sent with later messages";
  } else if (message.state === "error") {
    meta.textContent = "failed";
  } else if (role === "model") {
    meta.textContent = formatUsage(message.usage);
  }
  if (meta.textContent) node.append(meta);
  return node;
}

function render({ model, el: root }) {
  root.classList.add("gnb-chat");

  const header = el("div", "gnb-chat-header");
  const list = el("div", "gnb-chat-list", { role: "log", "aria-live": "polite" });
  const errorLine = el("div", "gnb-chat-error", { role: "alert" });
  const form = el("div", "gnb-chat-form");
  // data-lm-suppress-shortcuts keeps JupyterLab's notebook shortcuts (Shift+Enter runs the
  // cell) out of the text box.
  const input = el("textarea", "gnb-chat-input", {
    rows: "2",
    placeholder: "Message the model (Enter sends, Shift+Enter for a new line)",
    "aria-label": "Message",
    "data-lm-suppress-shortcuts": "true",
  });
  const sendButton = el("button", "gnb-chat-send", { type: "button" });
  sendButton.textContent = "Send";
  const stopButton = el("button", "gnb-chat-stop", { type: "button" });
  stopButton.textContent = "Stop";
  form.append(input, sendButton, stopButton);
  root.replaceChildren(header, list, errorLine, form);

  const nearBottom = () => list.scrollHeight - list.scrollTop - list.clientHeight < STICKY_PX;
  const scrollDown = () => {
    list.scrollTop = list.scrollHeight;
  };

  function renderMessages() {
    const stick = nearBottom();
    list.replaceChildren(...(model.get("messages") || []).map(bubble));
    if (stick) scrollDown();
  }

  function renderStatus() {
    const busy = Boolean(model.get("busy"));
    header.textContent = model.get("model") || "";
    root.classList.toggle("gnb-chat-busy", busy);
    sendButton.disabled = busy || !input.value.trim();
    stopButton.disabled = !busy;
    const error = model.get("error") || "";
    errorLine.textContent = error;
    errorLine.hidden = !error;
  }

  function onCustom(msg) {
    if (!msg || msg.type !== "delta") return;
    const node = list.children[msg.index];
    if (!node) return;
    const stick = nearBottom();
    node.querySelector(".gnb-chat-body").innerHTML = msg.html; // sanitized by the kernel
    if (stick) scrollDown();
  }

  function submit() {
    const text = input.value;
    if (!text.trim() || model.get("busy")) return;
    model.send({ type: "send", text });
    input.value = "";
    renderStatus();
  }

  function insertNewline() {
    input.setRangeText("\n", input.selectionStart, input.selectionEnd, "end");
    renderStatus();
  }

  function onKeydown(event) {
    // isComposing: Enter that confirms an IME composition is not a send.
    if (event.key !== "Enter" || event.isComposing) return;
    event.preventDefault();
    // JupyterLab cancels the line break of Shift+Enter typed anywhere inside a cell (its
    // "run cell" guard), so the newline is inserted here.
    if (event.shiftKey) insertNewline();
    else submit();
  }

  const onSend = () => submit();
  const onStop = () => model.send({ type: "stop" });
  input.addEventListener("keydown", onKeydown);
  input.addEventListener("input", renderStatus);
  sendButton.addEventListener("click", onSend);
  stopButton.addEventListener("click", onStop);
  model.on("change:messages", renderMessages);
  model.on("change:busy", renderStatus);
  model.on("change:error", renderStatus);
  model.on("change:model", renderStatus);
  model.on("msg:custom", onCustom);

  renderMessages();
  renderStatus();

  return () => {
    model.off("change:messages", renderMessages);
    model.off("change:busy", renderStatus);
    model.off("change:error", renderStatus);
    model.off("change:model", renderStatus);
    model.off("msg:custom", onCustom);
  };
}

export default { render };
