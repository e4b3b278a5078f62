// gemini-nb upload widget (anywidget front end; plain ES module, no dependencies).
//
// Files picked or dropped here travel to the kernel in chunks: each piece is read with
// File.slice() and sent as a custom message {type: "chunk", id, offset} with one binary
// buffer; the next piece is read only after the kernel's {type: "ack", id, received}. So one
// chunk is in flight at a time and the browser never holds a whole file in memory. Files go
// one after the other; the kernel uploads each finished file to the Files API in the
// background while the next one arrives.
//
// The list is the kernel's `rows` trait; this view adds the bytes acknowledged so far for the
// files it sends. Messages: we send {type: "add", files: [{id, name, size, type}]},
// {type: "chunk", id, offset} + buffer, {type: "cancel", id, error?}; the kernel answers
// {type: "added", accepted, rejected}, {type: "ack", id, received}, {type: "stop", id}.
//
// Safety: names, types and errors are always inserted as text.

const ACTIVE = new Set(["receiving", "uploading", "processing"]);
const STATE_TEXT = {
  receiving: "sending to the kernel",
  uploading: "uploading to Gemini",
  processing: "processing",
  done: "uploaded",
  error: "failed",
  cancelled: "cancelled",
};

function el(tag, className, attrs = {}) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  return node;
}

function formatSize(n) {
  let size = Number(n) || 0;
  for (const unit of ["bytes", "KB", "MB", "GB"]) {
    if (size < 1000 || unit === "GB") {
      return unit === "bytes" ? `${Math.floor(size)} bytes` : `${size.toFixed(1)} ${unit}`;
    }
    size /= 1000;
  }
  return "";
}

function newId() {
  // crypto.randomUUID needs a secure context; a notebook served over plain http may not be.
  const random = Math.random().toString(36).slice(2, 10);
  return `f-${Date.now().toString(36)}-${random}`;
}

function render({ model, el: root }) {
  root.classList.add("gnb-upload");

  const zone = el("div", "gnb-upload-zone");
  const input = el("input", "gnb-upload-input", { type: "file", tabindex: "-1" });
  const choose = el("button", "gnb-upload-choose", { type: "button" });
  choose.textContent = "Choose files";
  const hint = el("span", "gnb-upload-hint");
  hint.textContent = "or drop them here · they go to the Gemini Files API";
  zone.append(choose, hint, input);
  const list = el("div", "gnb-upload-list", { role: "list", "aria-live": "polite" });
  const footer = el("div", "gnb-upload-footer");
  root.replaceChildren(zone, list, footer);

  // Files this view is sending: id -> {file, acked, cancelled}.
  const local = new Map();
  const queue = [];
  const waiters = new Map(); // id -> resolve(msg) for the ack (or stop) of the chunk in flight
  let sending = false;
  let alive = true;

  function rowFraction(row) {
    const size = Number(row.size) || 0;
    if (!size) return 0;
    if (row.state === "receiving") {
      const acked = local.has(row.id) ? local.get(row.id).acked : 0;
      return Math.max(acked, Number(row.received) || 0) / size;
    }
    if (row.state === "uploading") return (Number(row.sent) || 0) / size;
    if (row.state === "processing" || row.state === "done") return 1;
    return 0;
  }

  function statusText(row, fraction) {
    let text = STATE_TEXT[row.state] || row.state || "";
    if (row.state === "receiving" || row.state === "uploading") {
      text += ` · ${Math.floor(fraction * 100)}%`;
    } else if (row.state === "processing") {
      text += "…";
    } else if (row.state === "done" && row.file) {
      text += ` as ${row.file.name}`;
    } else if (row.state === "error" && row.error) {
      text += `: ${row.error}`;
    }
    return text;
  }

  function fillRow(node, row) {
    const fraction = Math.min(1, Math.max(0, rowFraction(row)));
    node.setAttribute("data-state", row.state || "");
    node.querySelector(".gnb-upload-fill").style.width = `${(fraction * 100).toFixed(1)}%`;
    node.querySelector(".gnb-upload-bar").setAttribute("aria-valuenow", String(Math.floor(fraction * 100)));
    node.querySelector(".gnb-upload-status").textContent = statusText(row, fraction);
    node.querySelector(".gnb-upload-cancel").hidden = !ACTIVE.has(row.state);
  }

  function rowNode(row) {
    const node = el("div", "gnb-upload-row", { role: "listitem", "data-id": row.id });
    const name = el("span", "gnb-upload-name");
    name.textContent = row.name || "";
    name.title = row.mime ? `${row.name} (${row.mime})` : row.name || "";
    const size = el("span", "gnb-upload-size");
    size.textContent = formatSize(row.size);
    const bar = el("div", "gnb-upload-bar", {
      role: "progressbar",
      "aria-valuemin": "0",
      "aria-valuemax": "100",
      "aria-label": `${row.name || "file"} progress`,
    });
    bar.append(el("div", "gnb-upload-fill"));
    const status = el("span", "gnb-upload-status");
    const cancel = el("button", "gnb-upload-cancel", { type: "button", title: "Cancel", "aria-label": `Cancel ${row.name || "file"}` });
    cancel.textContent = "✕";
    cancel.addEventListener("click", () => cancelFile(row.id));
    node.append(name, size, bar, cancel, status);
    fillRow(node, row);
    return node;
  }

  function rows() {
    return model.get("rows") || [];
  }

  function renderRows() {
    const all = rows();
    list.replaceChildren(...all.map(rowNode));
    const done = all.filter((r) => r.state === "done").length;
    footer.textContent = done
      ? `${done} file${done === 1 ? "" : "s"} uploaded · in Python: this widget's .files`
      : "";
  }

  function renderSettings() {
    const disabled = Boolean(model.get("disabled"));
    input.accept = model.get("accept") || "";
    input.multiple = Boolean(model.get("multiple"));
    input.disabled = disabled;
    choose.disabled = disabled;
    root.classList.toggle("gnb-upload-disabled", disabled);
  }

  function updateRow(id) {
    const row = rows().find((r) => r.id === id);
    const node = [...list.children].find((n) => n.getAttribute("data-id") === id);
    if (row && node) fillRow(node, row);
  }

  function cancelFile(id, error) {
    const entry = local.get(id);
    if (entry) entry.cancelled = true;
    const message = { type: "cancel", id };
    if (error) message.error = error;
    model.send(message);
  }

  function onCustom(msg) {
    if (!msg || typeof msg !== "object") return;
    if (msg.type === "ack" || msg.type === "stop") {
      const entry = local.get(msg.id);
      if (entry && msg.type === "ack") {
        entry.acked = Number(msg.received) || 0;
        updateRow(msg.id);
      }
      const resolve = waiters.get(msg.id);
      if (resolve) {
        waiters.delete(msg.id);
        resolve(msg);
      }
    } else if (msg.type === "added") {
      for (const id of msg.rejected || []) local.delete(id);
      for (const id of msg.accepted || []) if (local.has(id)) queue.push(id);
      pump();
    }
  }

  async function sendFile(id, entry) {
    const file = entry.file;
    let offset = 0;
    while (alive && !entry.cancelled && offset < file.size) {
      const chunk = Math.max(1, Number(model.get("chunk_size")) || 2 * 1024 * 1024);
      const end = Math.min(file.size, offset + chunk);
      let buffer;
      try {
        buffer = await file.slice(offset, end).arrayBuffer();
      } catch (err) {
        // The file changed or vanished on disk since it was picked.
        cancelFile(id, `the browser could not read the file (${err && err.name ? err.name : err})`);
        return;
      }
      if (!alive || entry.cancelled) return;
      const reply = new Promise((resolve) => waiters.set(id, resolve));
      model.send({ type: "chunk", id, offset }, undefined, [buffer]);
      buffer = null;
      const answer = await reply;
      if (answer.type !== "ack") return;
      offset = Number(answer.received) || 0;
    }
  }

  async function pump() {
    if (sending) return;
    sending = true;
    try {
      while (alive && queue.length) {
        const id = queue.shift();
        const entry = local.get(id);
        if (!entry || entry.cancelled) continue;
        await sendFile(id, entry);
        local.delete(id);
      }
    } finally {
      sending = false;
    }
  }

  function addFiles(fileList) {
    if (model.get("disabled")) return;
    let files = [...(fileList || [])];
    if (!model.get("multiple")) files = files.slice(0, 1);
    if (!files.length) return;
    const specs = files.map((file) => {
      const id = newId();
      local.set(id, { file, acked: 0, cancelled: false });
      return { id, name: file.name, size: file.size, type: file.type || "" };
    });
    model.send({ type: "add", files: specs });
  }

  const onChoose = () => input.click();
  const onChange = () => {
    addFiles(input.files);
    input.value = ""; // the same file can be picked again
  };
  const onDragOver = (event) => {
    if (!event.dataTransfer || ![...event.dataTransfer.types].includes("Files")) return;
    event.preventDefault();
    event.stopPropagation();
    event.dataTransfer.dropEffect = model.get("disabled") ? "none" : "copy";
    zone.classList.add("gnb-upload-over");
  };
  const onDragLeave = (event) => {
    if (!zone.contains(event.relatedTarget)) zone.classList.remove("gnb-upload-over");
  };
  const onDrop = (event) => {
    if (!event.dataTransfer || !event.dataTransfer.files.length) return;
    event.preventDefault();
    event.stopPropagation();
    zone.classList.remove("gnb-upload-over");
    addFiles(event.dataTransfer.files);
  };

  choose.addEventListener("click", onChoose);
  input.addEventListener("change", onChange);
  zone.addEventListener("dragenter", onDragOver);
  zone.addEventListener("dragover", onDragOver);
  zone.addEventListener("dragleave", onDragLeave);
  zone.addEventListener("drop", onDrop);
  model.on("change:rows", renderRows);
  model.on("change:accept", renderSettings);
  model.on("change:multiple", renderSettings);
  model.on("change:disabled", renderSettings);
  model.on("msg:custom", onCustom);

  renderSettings();
  renderRows();

  return () => {
    // Nobody can finish this view's files once it is gone: the kernel drops their parts.
    alive = false;
    for (const [id, entry] of local) if (!entry.cancelled) cancelFile(id);
    for (const resolve of waiters.values()) resolve({ type: "stop" });
    waiters.clear();
    model.off("change:rows", renderRows);
    model.off("change:accept", renderSettings);
    model.off("change:multiple", renderSettings);
    model.off("change:disabled", renderSettings);
    model.off("msg:custom", onCustom);
  };
}

export default { render };
