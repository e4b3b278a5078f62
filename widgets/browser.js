// gemini-nb files and caches browser (anywidget front end; plain ES module, no dependencies).
//
// The kernel sends the list as traits: `columns` ({key, label, type}), `rows` (one dict per
// item, keyed by `name`), `busy`, `status`, `error`, and `kind` ("files" or "caches").
// Sorting and filtering happen here; the selection is synced back as `selected` (names).
// Actions are custom messages {type: "action", action, names, ttl?} naming the rows selected
// when the button was pressed; the kernel runs them and sends the refreshed list.
//
// Safety: every value is inserted as text.

const TTL_LABELS = { 600: "10 minutes", 3600: "1 hour", 21600: "6 hours", 86400: "24 hours" };

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

function ttlLabel(seconds) {
  if (TTL_LABELS[seconds]) return TTL_LABELS[seconds];
  if (seconds % 3600 === 0) return `${seconds / 3600} hours`;
  if (seconds % 60 === 0) return `${seconds / 60} minutes`;
  return `${seconds} seconds`;
}

function shown(value, type) {
  if (value === null || value === undefined) return "";
  if (type === "bytes") return formatSize(value);
  if (type === "number") return Number(value).toLocaleString("en-US");
  return String(value);
}

function compare(a, b, type) {
  const missingA = a === null || a === undefined;
  const missingB = b === null || b === undefined;
  if (missingA || missingB) return missingA === missingB ? 0 : missingA ? 1 : -1;
  if (type === "bytes" || type === "number") return Number(a) - Number(b);
  return String(a).localeCompare(String(b));
}

function render({ model, el: root }) {
  root.classList.add("gnb-browser");
  const kind = () => model.get("kind") || "items";
  const nouns = () => (kind() === "caches" ? ["cache", "caches"] : ["file", "files"]);

  const title = el("span", "gnb-browser-title");
  const filter = el("input", "gnb-browser-filter", { type: "search", placeholder: "Filter", "aria-label": "Filter rows" });
  const refresh = button("gnb-browser-refresh", "Refresh");
  const actions = el("span", "gnb-browser-actions");
  const toolbar = el("div", "gnb-browser-toolbar");
  toolbar.append(title, filter, refresh, actions);

  const deleteButton = button("gnb-browser-delete gnb-browser-danger", "Delete");
  const confirmBox = el("span", "gnb-browser-confirm");
  const confirmText = el("span", "gnb-browser-confirm-text");
  const confirmYes = button("gnb-browser-confirm-yes gnb-browser-danger", "Yes, delete");
  const confirmNo = button("gnb-browser-confirm-no", "No");
  confirmBox.append(confirmText, confirmYes, confirmNo);
  const useButton = button("gnb-browser-use", "Use in prompt");
  const ttlSelect = el("select", "gnb-browser-ttl", { "aria-label": "Keep for" });
  const extendButton = button("gnb-browser-extend", "Keep for");

  const statusLine = el("div", "gnb-browser-status", { role: "status" });
  const errorLine = el("div", "gnb-browser-error", { role: "alert" });
  const scroller = el("div", "gnb-browser-scroll");
  const table = el("table", "gnb-browser-table");
  const thead = el("thead");
  const tbody = el("tbody");
  table.append(thead, tbody);
  const empty = el("div", "gnb-browser-empty");
  scroller.append(table, empty);
  root.replaceChildren(toolbar, statusLine, errorLine, scroller);

  let sortKey = null;
  let sortDir = 1;
  let confirming = false;

  const selectedSet = () => new Set(model.get("selected") || []);
  const columns = () => model.get("columns") || [];

  function matches(row, text) {
    if (!text) return true;
    return columns().some((c) => shown(row[c.key], c.type).toLowerCase().includes(text));
  }

  function visibleRows() {
    const text = filter.value.trim().toLowerCase();
    const rows = (model.get("rows") || []).filter((r) => matches(r, text));
    if (sortKey !== null) {
      const type = (columns().find((c) => c.key === sortKey) || {}).type;
      rows.sort((a, b) => sortDir * compare(a[sortKey], b[sortKey], type));
    }
    return rows;
  }

  function setSelected(names) {
    model.set("selected", names);
    model.save_changes();
  }

  function renderHead() {
    const row = el("tr");
    const allCell = el("th", "gnb-browser-check");
    const all = el("input", "gnb-browser-select-all", { type: "checkbox", "aria-label": "Select all shown" });
    const visible = visibleRows().map((r) => r.name);
    const chosen = selectedSet();
    const count = visible.filter((n) => chosen.has(n)).length;
    all.checked = visible.length > 0 && count === visible.length;
    all.indeterminate = count > 0 && count < visible.length;
    all.addEventListener("change", () => setSelected(all.checked ? visible : []));
    allCell.append(all);
    row.append(allCell);
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
        renderTable();
      };
      th.addEventListener("click", sort);
      th.addEventListener("keydown", (e) => {
        if (e.key === "Enter" || e.key === " ") {
          e.preventDefault();
          sort();
        }
      });
      row.append(th);
    }
    thead.replaceChildren(row);
  }

  function renderBody() {
    const chosen = selectedSet();
    const rows = visibleRows();
    tbody.replaceChildren(
      ...rows.map((r) => {
        const tr = el("tr", chosen.has(r.name) ? "gnb-browser-selected" : "", { "data-name": r.name });
        const cell = el("td", "gnb-browser-check");
        const box = el("input", "gnb-browser-select", { type: "checkbox", "aria-label": `Select ${r.name}` });
        box.checked = chosen.has(r.name);
        box.addEventListener("change", () => {
          const now = selectedSet();
          if (box.checked) now.add(r.name);
          else now.delete(r.name);
          setSelected((model.get("rows") || []).map((x) => x.name).filter((n) => now.has(n)));
        });
        cell.append(box);
        tr.append(cell);
        for (const column of columns()) {
          const td = el("td", `gnb-browser-${column.type}`, { "data-key": column.key });
          td.textContent = shown(r[column.key], column.type);
          tr.append(td);
        }
        return tr;
      }),
    );
    const total = (model.get("rows") || []).length;
    empty.textContent = total ? (rows.length ? "" : "No row matches the filter.") : `No ${kind()} yet.`;
    empty.hidden = !empty.textContent;
  }

  function renderTable() {
    renderHead();
    renderBody();
    renderActions();
  }

  function renderActions() {
    const busy = Boolean(model.get("busy"));
    const count = selectedSet().size;
    const total = (model.get("rows") || []).length;
    const [one, many] = nouns();
    title.textContent = `${kind()[0].toUpperCase()}${kind().slice(1)} · ${total}${count ? ` · ${count} selected` : ""}`;
    root.classList.toggle("gnb-browser-busy", busy);
    refresh.disabled = busy;
    if (!count) confirming = false;
    const parts = [];
    if (confirming) {
      confirmText.textContent = `Delete ${count} ${count === 1 ? one : many}?`;
      confirmYes.disabled = busy;
      parts.push(confirmBox);
    } else {
      deleteButton.disabled = busy || !count;
      parts.push(deleteButton);
      if (kind() === "files") {
        useButton.disabled = busy || !count;
        useButton.title = `Put the selected files in the variable ${model.get("variable") || "gemini_files"}`;
        parts.push(useButton);
      } else if (kind() === "caches") {
        const choices = model.get("ttl_choices") || [];
        if (ttlSelect.options.length !== choices.length) {
          ttlSelect.replaceChildren(
            ...choices.map((s) => {
              const option = el("option", "", { value: String(s) });
              option.textContent = ttlLabel(s);
              return option;
            }),
          );
          if (choices.includes(3600)) ttlSelect.value = "3600";
        }
        extendButton.disabled = busy || !count;
        ttlSelect.disabled = busy;
        parts.push(extendButton, ttlSelect);
      }
    }
    actions.replaceChildren(...parts);
    const status = model.get("status") || "";
    statusLine.textContent = busy ? "Working…" : status;
    statusLine.hidden = !statusLine.textContent;
    const error = model.get("error") || "";
    errorLine.textContent = error;
    errorLine.hidden = !error;
  }

  function act(action, extra = {}) {
    const names = (model.get("rows") || []).map((r) => r.name).filter((n) => selectedSet().has(n));
    model.send({ type: "action", action, names, ...extra });
  }

  filter.addEventListener("input", () => {
    // Rows the filter hides leave the selection: actions only touch rows you can see.
    const text = filter.value.trim().toLowerCase();
    const chosen = selectedSet();
    const kept = (model.get("rows") || []).filter((r) => chosen.has(r.name) && matches(r, text));
    if (kept.length !== chosen.size) setSelected(kept.map((r) => r.name));
    renderTable();
  });
  refresh.addEventListener("click", () => model.send({ type: "action", action: "refresh", names: [] }));
  deleteButton.addEventListener("click", () => {
    confirming = true;
    renderActions();
    confirmNo.focus();
  });
  confirmNo.addEventListener("click", () => {
    confirming = false;
    renderActions();
  });
  confirmYes.addEventListener("click", () => {
    confirming = false;
    act("delete");
    renderActions();
  });
  useButton.addEventListener("click", () => act("use"));
  extendButton.addEventListener("click", () => act("extend", { ttl: Number(ttlSelect.value) }));

  const onRows = () => renderTable();
  const onState = () => renderActions();
  model.on("change:rows", onRows);
  model.on("change:columns", onRows);
  model.on("change:selected", onRows);
  model.on("change:busy", onState);
  model.on("change:status", onState);
  model.on("change:error", onState);
  model.on("change:ttl_choices", onState);

  renderTable();

  return () => {
    model.off("change:rows", onRows);
    model.off("change:columns", onRows);
    model.off("change:selected", onRows);
    model.off("change:busy", onState);
    model.off("change:status", onState);
    model.off("change:error", onState);
    model.off("change:ttl_choices", onState);
  };
}

export default { render };
