// gemini-nb chat widget (anywidget front end; plain ES module, no dependencies).
//
// State comes from the kernel as traits: `messages` (one dict per bubble), `busy`, `error`,
// `model`, `models` (what the model picker offers). While a reply streams the kernel sends
// {type: "delta", index, html} custom messages with the whole reply so far. We send
// {type: "send", text}, {type: "stop"} and {type: "models"} (fill the picker, once).
//
// Safety: model HTML was sanitized in Python before it got here; it is the only thing set as
// innerHTML. The user's text is always inserted as text, and so are the buttons we add.
//
// Code blocks in replies get two buttons: Copy (the clipboard) and Insert, which puts the code
// into a new notebook cell below the widget's cell. Insert uses JupyterLab's command linker: a
// click on an element carrying data-commandlinker-command runs that command, here
// notebook:insert-cell-below, then notebook:replace-selection with the code as text (the
// documented commands, so keyboard shortcuts and undo behave as usual; JupyterLab asks first
// if the notebook is not trusted). Outside JupyterLab there is no Insert button.

const STICKY_PX = 48; // "at the bottom" tolerance for autoscroll
const LINKER = "data-commandlinker-command";
const LINKER_ARGS = "data-commandlinker-args";

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

function inJupyterLab(node) {
  return Boolean(node.closest(".jp-Notebook"));
}

async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch (err) {
    // No clipboard API (an insecure origin): the old way, through a selected text area.
    const area = el("textarea", "", { "aria-hidden": "true" });
    area.value = text;
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.append(area);
    area.select();
    let ok = false;
    try {
      ok = document.execCommand("copy");
    } catch (err2) {
      ok = false;
    }
    area.remove();
    return ok;
  }
}

function flash(button, text) {
  const label = button.dataset.label;
  button.textContent = text;
  setTimeout(() => {
    button.textContent = label;
  }, 1500);
}

function insertIntoNewCell(button, code) {
  // The button itself carries insert-cell-below (the linker runs it as this click bubbles to
  // the page, after JupyterLab's trust question if the notebook is not trusted); once the new
  // cell is there it is the active one, and replace-selection writes the code into it.
  const notebook = button.closest(".jp-Notebook");
  const cells = () => notebook.querySelectorAll(".jp-Cell").length;
  const before = cells();
  const started = Date.now();
  const write = () => {
    if (cells() <= before) {
      if (Date.now() - started < 30000) setTimeout(write, 50); // no cell: the user said no
      return;
    }
    const writer = el("span", "gnb-chat-linker", {
      [LINKER]: "notebook:replace-selection",
      [LINKER_ARGS]: JSON.stringify({ text: code }),
      hidden: "",
    });
    button.parentElement.append(writer);
    writer.click();
    writer.remove();
    flash(button, "Inserted");
  };
  setTimeout(write, 0);
}

// Copy / Insert buttons on each code block of a reply body (again after each update).
function decorateCode(body) {
  const linker = inJupyterLab(body);
  for (const code of body.querySelectorAll("pre > code")) {
    const pre = code.parentElement;
    if (pre.parentElement.classList.contains("gnb-chat-code")) continue;
    const box = el("div", "gnb-chat-code");
    pre.replaceWith(box);
    const bar = el("div", "gnb-chat-code-bar");
    const copy = el("button", "gnb-chat-copy", { type: "button", title: "Copy the code" });
    copy.textContent = copy.dataset.label = "Copy";
    copy.addEventListener("click", async () => {
      flash(copy, (await copyText(code.textContent)) ? "Copied" : "Copy failed");
    });
    bar.append(copy);
    if (linker) {
      const insert = el("button", "gnb-chat-insert", {
        type: "button",
        title: "Put the code into a new cell below",
        [LINKER]: "notebook:insert-cell-below",
      });
      insert.textContent = insert.dataset.label = "Insert in new cell";
      insert.addEventListener("click", () => insertIntoNewCell(insert, code.textContent));
      bar.append(insert);
    }
    box.append(bar, pre);
  }
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
  const pickerLabel = el("label", "gnb-chat-picker-label");
  pickerLabel.textContent = "Model ";
  const picker = el("select", "gnb-chat-picker", { "aria-label": "Model" });
  pickerLabel.append(picker);
  header.append(pickerLabel);
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
    const bubbles = (model.get("messages") || []).map(bubble);
    list.replaceChildren(...bubbles);
    // Decorated once attached, so that the buttons know whether they are in JupyterLab.
    for (const node of bubbles) decorateCode(node.querySelector(".gnb-chat-body"));
    if (stick) scrollDown();
  }

  function renderPicker() {
    const current = model.get("model") || "";
    const ids = [...new Set([current, ...(model.get("models") || [])])].filter(Boolean);
    if ([...picker.options].map((o) => o.value).join("\n") !== ids.join("\n")) {
      picker.replaceChildren(
        ...ids.map((id) => {
          const option = el("option", "", { value: id });
          option.textContent = id;
          return option;
        }),
      );
    }
    picker.value = current;
  }

  function renderStatus() {
    const busy = Boolean(model.get("busy"));
    renderPicker();
    picker.disabled = busy; // the next turn's model; not changed while one streams
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
    const body = node.querySelector(".gnb-chat-body");
    body.innerHTML = msg.html; // sanitized by the kernel
    decorateCode(body);
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

  function onPick() {
    if (picker.value && picker.value !== model.get("model")) {
      model.set("model", picker.value);
      model.save_changes();
    }
  }

  const onSend = () => submit();
  const onStop = () => model.send({ type: "stop" });
  input.addEventListener("keydown", onKeydown);
  input.addEventListener("input", renderStatus);
  picker.addEventListener("change", onPick);
  sendButton.addEventListener("click", onSend);
  stopButton.addEventListener("click", onStop);
  model.on("change:messages", renderMessages);
  model.on("change:busy", renderStatus);
  model.on("change:error", renderStatus);
  model.on("change:model", renderStatus);
  model.on("change:models", renderStatus);
  model.on("msg:custom", onCustom);

  renderStatus();
  // Bubbles are decorated once the view is in the page (JupyterLab attaches it after render).
  requestAnimationFrame(renderMessages);
  renderMessages();
  model.send({ type: "models" });

  return () => {
    model.off("change:messages", renderMessages);
    model.off("change:busy", renderStatus);
    model.off("change:error", renderStatus);
    model.off("change:model", renderStatus);
    model.off("change:models", renderStatus);
    model.off("msg:custom", onCustom);
  };
}

export default { render };
