// gemini-nb file search stores browser (anywidget front end; plain ES module, no dependencies).
//
// Traits from the kernel: the stores as `columns`/`rows` (selection synced back as `selected`),
// the open store (`store`) and its documents (`doc_columns`, `doc_rows`, `doc_selected`), the
// chunks of a document (`chunks`), the last answer (`question`, `answer`), `busy`, `status`,
// `error`. Actions are custom messages {type: "action", action, names, question?}:
// refresh, delete (stores), open (a store), delete_documents, chunks (one document), ask.
//
// Safety: every value, the model's answer included, is inserted as text.

function el(tag, className, attrs = {}) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  return node;
}

function button(className, text, attrs = {}) {
  const node = el("button", className, { type: "button", ...attrs });
  node.textContent = text;
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

function shown(value, type) {
  if (value === null || value === undefined) return "";
  if (type === "bytes") return formatSize(value);
  if (type === "number") return Number(value).toLocaleString("en-US");
  if (typeof value === "string" && value.startsWith("STATE_")) return value.slice(6).toLowerCase();
  return String(value);
}

function compare(a, b, type) {
  const missingA = a === null || a === undefined;
  const missingB = b === null || b === undefined;
  if (missingA || missingB) return missingA === missingB ? 0 : missingA ? 1 : -1;
  if (type === "bytes" || type === "number") return Number(a) - Number(b);
  return String(a).localeCompare(String(b));
}

// One sortable table with check boxes; `onOpen` (optional) makes the name cell a link.
function makeTable({ model, columnsKey, rowsKey, selectedKey, filter, onOpen, openKey }) {
  const table = el("table", "gnb-browser-table");
  const thead = el("thead");
  const tbody = el("tbody");
  table.append(thead, tbody);
  let sortKey = null;
  let sortDir = 1;
  const columns = () => model.get(columnsKey) || [];
  const selected = () => new Set(model.get(selectedKey) || []);
  const matches = (row, text) =>
    !text || columns().some((c) => shown(row[c.key], c.type).toLowerCase().includes(text));

  function visible() {
    const text = filter ? filter.value.trim().toLowerCase() : "";
    const rows = (model.get(rowsKey) || []).filter((r) => matches(r, text));
    if (sortKey !== null) {
      const type = (columns().find((c) => c.key === sortKey) || {}).type;
      rows.sort((a, b) => sortDir * compare(a[sortKey], b[sortKey], type));
    }
    return rows;
  }

  function select(names) {
    model.set(selectedKey, names);
    model.save_changes();
  }

  function render() {
    const rows = visible();
    const chosen = selected();
    const head = el("tr");
    const allCell = el("th", "gnb-browser-check");
    const all = el("input", "gnb-browser-select-all", { type: "checkbox", "aria-label": "Select all shown" });
    const names = rows.map((r) => r.name);
    const count = names.filter((n) => chosen.has(n)).length;
    all.checked = names.length > 0 && count === names.length;
    all.indeterminate = count > 0 && count < names.length;
    all.addEventListener("change", () => select(all.checked ? names : []));
    allCell.append(all);
    head.append(allCell);
    for (const column of columns()) {
      const th = el("th", `gnb-browser-col gnb-browser-${column.type}`, { "data-key": column.key, tabindex: "0" });
      th.textContent = column.type === "time" ? `${column.label} (UTC)` : column.label;
      if (sortKey === column.key) {
        th.setAttribute("aria-sort", sortDir > 0 ? "ascending" : "descending");
        th.append(el("span", `gnb-browser-arrow gnb-browser-${sortDir > 0 ? "up" : "down"}`));
      }
      const sort = () => {
        if (sortKey === column.key) sortDir = -sortDir;
        else [sortKey, sortDir] = [column.key, 1];
        render();
      };
      th.addEventListener("click", sort);
      th.addEventListener("keydown", (e) => {
        if (e.key === "Enter" || e.key === " ") {
          e.preventDefault();
          sort();
        }
      });
      head.append(th);
    }
    thead.replaceChildren(head);
    const open = openKey ? model.get(openKey) : null;
    tbody.replaceChildren(
      ...rows.map((r) => {
        const classes = [chosen.has(r.name) ? "gnb-browser-selected" : "", open === r.name ? "gnb-stores-open" : ""];
        const tr = el("tr", classes.join(" ").trim(), { "data-name": r.name });
        const cell = el("td", "gnb-browser-check");
        const box = el("input", "gnb-browser-select", { type: "checkbox", "aria-label": `Select ${r.name}` });
        box.checked = chosen.has(r.name);
        box.addEventListener("change", () => {
          const now = selected();
          if (box.checked) now.add(r.name);
          else now.delete(r.name);
          select((model.get(rowsKey) || []).map((x) => x.name).filter((n) => now.has(n)));
        });
        cell.append(box);
        tr.append(cell);
        for (const column of columns()) {
          const td = el("td", `gnb-browser-${column.type}`, { "data-key": column.key });
          const text = shown(r[column.key], column.type);
          if (onOpen && column.key === "name") {
            const link = button("gnb-stores-link", text, { title: "Open this store" });
            link.addEventListener("click", () => onOpen(r.name));
            td.append(link);
          } else {
            td.textContent = text;
          }
          tr.append(td);
        }
        return tr;
      }),
    );
    return rows.length;
  }

  return { table, render, selected, visible };
}

// A Delete button that asks for confirmation in place.
function makeDelete(label, onConfirm) {
  const wrap = el("span", "gnb-browser-actions");
  const start = button("gnb-browser-delete gnb-browser-danger", label);
  const text = el("span", "gnb-browser-confirm-text");
  const yes = button("gnb-browser-confirm-yes gnb-browser-danger", "Yes, delete");
  const no = button("gnb-browser-confirm-no", "No");
  let confirming = false;
  const api = {
    node: wrap,
    update(count, noun, busy) {
      if (!count) confirming = false;
      if (confirming) {
        text.textContent = `Delete ${count} ${noun}${count === 1 ? "" : "s"} and what is in them?`;
        yes.disabled = busy;
        wrap.replaceChildren(text, yes, no);
      } else {
        start.disabled = busy || !count;
        wrap.replaceChildren(start);
      }
    },
  };
  start.addEventListener("click", () => {
    confirming = true;
    wrap.dispatchEvent(new Event("redraw", { bubbles: true }));
    no.focus();
  });
  no.addEventListener("click", () => {
    confirming = false;
    wrap.dispatchEvent(new Event("redraw", { bubbles: true }));
  });
  yes.addEventListener("click", () => {
    confirming = false;
    onConfirm();
    wrap.dispatchEvent(new Event("redraw", { bubbles: true }));
  });
  return api;
}

function render({ model, el: root }) {
  root.classList.add("gnb-browser", "gnb-stores");
  const send = (action, names = [], extra = {}) => model.send({ type: "action", action, names, ...extra });

  // --- stores
  const title = el("span", "gnb-browser-title");
  const filter = el("input", "gnb-browser-filter", { type: "search", placeholder: "Filter", "aria-label": "Filter stores" });
  const refresh = button("gnb-browser-refresh", "Refresh");
  const storeDelete = makeDelete("Delete", () => send("delete", storeTable.selected().size ? selectedIn("rows", "selected") : []));
  const toolbar = el("div", "gnb-browser-toolbar");
  toolbar.append(title, filter, refresh, storeDelete.node);
  const storeTable = makeTable({
    model, columnsKey: "columns", rowsKey: "rows", selectedKey: "selected", filter,
    onOpen: (name) => send("open", [name]), openKey: "store",
  });
  const storeScroll = el("div", "gnb-browser-scroll");
  const storeEmpty = el("div", "gnb-browser-empty");
  storeScroll.append(storeTable.table, storeEmpty);
  const statusLine = el("div", "gnb-browser-status", { role: "status" });
  const errorLine = el("div", "gnb-browser-error", { role: "alert" });

  // --- the open store: documents, chunks, a question
  const section = el("div", "gnb-stores-section");
  const docTitle = el("span", "gnb-browser-title gnb-stores-doc-title");
  const docDelete = makeDelete("Delete", () => send("delete_documents", selectedIn("doc_rows", "doc_selected")));
  const chunksButton = button("gnb-stores-chunks", "Chunks", { title: "The passages of the selected document that retrieval finds for its name" });
  const docToolbar = el("div", "gnb-browser-toolbar");
  docToolbar.append(docTitle, docDelete.node, chunksButton);
  const docTable = makeTable({ model, columnsKey: "doc_columns", rowsKey: "doc_rows", selectedKey: "doc_selected" });
  const docScroll = el("div", "gnb-browser-scroll");
  const docEmpty = el("div", "gnb-browser-empty");
  docScroll.append(docTable.table, docEmpty);
  const chunkPanel = el("div", "gnb-stores-chunks-panel");
  const askRow = el("form", "gnb-stores-ask");
  const askInput = el("input", "gnb-stores-question", { type: "text", placeholder: "Ask a question over this store", "aria-label": "Question" });
  const askButton = button("gnb-stores-ask-button", "Ask", { type: "submit" });
  askRow.append(askInput, askButton);
  const answerPanel = el("div", "gnb-stores-answer", { "aria-live": "polite" });
  section.append(docToolbar, docScroll, chunkPanel, askRow, answerPanel);

  root.replaceChildren(toolbar, statusLine, errorLine, storeScroll, section);

  function selectedIn(rowsKey, selectedKey) {
    const chosen = new Set(model.get(selectedKey) || []);
    return (model.get(rowsKey) || []).map((r) => r.name).filter((n) => chosen.has(n));
  }

  function renderStores() {
    const shownRows = storeTable.render();
    const total = (model.get("rows") || []).length;
    storeEmpty.textContent = total ? (shownRows ? "" : "No store matches the filter.") : "No file search stores yet.";
    storeEmpty.hidden = !storeEmpty.textContent;
  }

  function renderDocuments() {
    const store = model.get("store") || "";
    section.hidden = !store;
    if (!store) return;
    const row = (model.get("rows") || []).find((r) => r.name === store) || {};
    const docs = model.get("doc_rows") || [];
    docTitle.textContent = `Documents of ${row.display_name || store} · ${docs.length}`;
    docTable.render();
    docEmpty.textContent = docs.length ? "" : "No documents in this store yet.";
    docEmpty.hidden = !docEmpty.textContent;
  }

  function renderChunks() {
    const chunks = model.get("chunks") || {};
    const items = chunks.items || [];
    if (!chunks.document) {
      chunkPanel.replaceChildren();
      chunkPanel.hidden = true;
      return;
    }
    chunkPanel.hidden = false;
    const head = el("div", "gnb-browser-title");
    head.textContent = `Chunks of ${chunks.title} · ${items.length}`;
    const list = el("ol", "gnb-stores-chunk-list");
    for (const item of items) {
      const li = el("li", "gnb-stores-chunk");
      if (item.page) {
        const page = el("span", "gnb-stores-page");
        page.textContent = `p. ${item.page}`;
        li.append(page);
      }
      const text = el("div", "gnb-stores-passage");
      text.textContent = item.text;
      li.append(text);
      list.append(li);
    }
    if (!items.length) {
      const none = el("div", "gnb-browser-empty");
      none.textContent = "Retrieval found no passage of this document for its name.";
      chunkPanel.replaceChildren(head, none);
    } else {
      chunkPanel.replaceChildren(head, list);
    }
  }

  function renderAnswer() {
    const answer = model.get("answer") || {};
    if (answer.text === undefined) {
      answerPanel.replaceChildren();
      answerPanel.hidden = true;
      return;
    }
    answerPanel.hidden = false;
    const question = el("div", "gnb-stores-asked");
    question.textContent = model.get("question") || "";
    const text = el("div", "gnb-stores-answer-text");
    text.textContent = answer.text;
    const parts = [question, text];
    const cites = answer.citations || [];
    if (cites.length) {
      const label = el("div", "gnb-browser-title");
      label.textContent = "Sources";
      const list = el("ol", "gnb-stores-sources");
      for (const cite of cites) {
        const li = el("li", "gnb-stores-source");
        const name = el("span", "gnb-stores-source-title");
        name.textContent = cite.page ? `${cite.title} (p. ${cite.page})` : cite.title;
        const passage = el("blockquote", "gnb-stores-passage");
        passage.textContent = cite.passage;
        li.append(name, passage);
        list.append(li);
      }
      parts.push(label, list);
    }
    answerPanel.replaceChildren(...parts);
  }

  function renderState() {
    const busy = Boolean(model.get("busy"));
    root.classList.toggle("gnb-browser-busy", busy);
    const total = (model.get("rows") || []).length;
    const count = (model.get("selected") || []).length;
    title.textContent = `File search stores · ${total}${count ? ` · ${count} selected` : ""}`;
    refresh.disabled = busy;
    storeDelete.update(count, "store", busy);
    const docCount = (model.get("doc_selected") || []).length;
    docDelete.update(docCount, "document", busy);
    chunksButton.disabled = busy || docCount !== 1;
    askButton.disabled = busy;
    askInput.disabled = busy;
    const status = model.get("status") || "";
    statusLine.textContent = busy ? "Working…" : status;
    statusLine.hidden = !statusLine.textContent;
    const error = model.get("error") || "";
    errorLine.textContent = error;
    errorLine.hidden = !error;
  }

  function renderAll() {
    renderStores();
    renderDocuments();
    renderChunks();
    renderAnswer();
    renderState();
  }

  root.addEventListener("redraw", renderState);
  filter.addEventListener("input", () => {
    // Rows the filter hides leave the selection: actions only touch rows you can see.
    const visible = new Set(storeTable.visible().map((r) => r.name));
    const kept = (model.get("selected") || []).filter((n) => visible.has(n));
    if (kept.length !== (model.get("selected") || []).length) {
      model.set("selected", kept);
      model.save_changes();
    }
    renderStores();
    renderState();
  });
  refresh.addEventListener("click", () => send("refresh"));
  chunksButton.addEventListener("click", () => send("chunks", selectedIn("doc_rows", "doc_selected")));
  askRow.addEventListener("submit", (e) => {
    e.preventDefault();
    const question = askInput.value.trim();
    if (question) send("ask", [], { question });
  });

  const events = {
    "change:rows": renderAll,
    "change:columns": renderAll,
    "change:selected": () => { renderStores(); renderState(); },
    "change:store": renderAll,
    "change:doc_rows": () => { renderDocuments(); renderState(); },
    "change:doc_columns": renderDocuments,
    "change:doc_selected": () => { renderDocuments(); renderState(); },
    "change:chunks": renderChunks,
    "change:answer": renderAnswer,
    "change:question": renderAnswer,
    "change:busy": renderState,
    "change:status": renderState,
    "change:error": renderState,
  };
  for (const [name, fn] of Object.entries(events)) model.on(name, fn);
  renderAll();
  return () => {
    for (const [name, fn] of Object.entries(events)) model.off(name, fn);
  };
}

export default { render };
