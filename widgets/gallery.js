// gemini-nb picture gallery (anywidget front end; plain ES module, no dependencies).
//
// The kernel sends the tiles as the `items` trait ({index, thumb, width, height, mime, size,
// caption, filtered}), plus `columns`, `status` and `error`. Clicking a tile opens it: the
// browser asks the kernel for the whole picture ({type: "open", index}) and shows the bytes it
// gets back as a binary buffer ({type: "image", index, mime}). "Save" asks the kernel to save
// it ({type: "save", index}); "Download" saves it in the browser.
//
// Safety: captions and reasons are inserted as text; pictures come only from data: URIs the
// kernel made and from Blob URLs of the bytes it sent.

function el(tag, className, attrs = {}) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  return node;
}

function button(className, text, title) {
  const node = el("button", className, { type: "button", title: title || text });
  node.textContent = text;
  return node;
}

function formatSize(n) {
  const size = Number(n) || 0;
  if (size < 1000) return `${size} B`;
  if (size < 1000000) return `${Math.round(size / 1000)} kB`;
  return `${(size / 1000000).toFixed(1)} MB`;
}

function label(item) {
  const dims = item.width && item.height ? `${item.width}×${item.height} · ` : "";
  return `${dims}${formatSize(item.size)}`;
}

const EXTENSIONS = { "image/png": "png", "image/jpeg": "jpg", "image/webp": "webp", "image/gif": "gif" };

function render({ model, el: root }) {
  root.classList.add("gnb-gallery");
  const grid = el("div", "gnb-gallery-grid", { role: "list" });
  const footer = el("div", "gnb-gallery-footer");
  root.append(grid, footer);

  // The enlarged view: one picture, its label, and its actions.
  const overlay = el("div", "gnb-gallery-overlay", { role: "dialog", "aria-modal": "true" });
  overlay.hidden = true;
  const frame = el("div", "gnb-gallery-frame");
  const big = el("img", "gnb-gallery-full", { alt: "" });
  const waiting = el("div", "gnb-gallery-waiting");
  waiting.textContent = "Loading…";
  const bar = el("div", "gnb-gallery-bar");
  const info = el("span", "gnb-gallery-info");
  const prev = button("gnb-gallery-prev", "‹", "Previous (←)");
  const next = button("gnb-gallery-next", "›", "Next (→)");
  const save = button("gnb-gallery-save", "Save", "Save in the notebook's folder (kernel)");
  const download = el("a", "gnb-gallery-download", { role: "button" });
  download.textContent = "Download";
  const close = button("gnb-gallery-close", "Close", "Close (Esc)");
  bar.append(prev, info, next, save, download, close);
  frame.append(waiting, big, bar);
  overlay.append(frame);
  root.append(overlay);

  const urls = new Map(); // index -> Blob URL of the whole picture
  let current = -1;

  function tiles() {
    return (model.get("items") || []).filter((item) => !item.filtered);
  }

  function show(index) {
    const item = (model.get("items") || []).find((it) => it.index === index);
    if (!item || item.filtered) return;
    current = index;
    overlay.hidden = false;
    info.textContent = label(item) + (item.caption ? ` · ${item.caption}` : "");
    download.setAttribute("download", `image-${index + 1}.${EXTENSIONS[item.mime] || "png"}`);
    if (urls.has(index)) {
      big.src = urls.get(index);
      big.hidden = false;
      waiting.hidden = true;
      download.href = urls.get(index);
    } else {
      big.hidden = true;
      waiting.hidden = false;
      download.removeAttribute("href");
      model.send({ type: "open", index });
    }
    const shown = tiles().map((it) => it.index);
    const at = shown.indexOf(index);
    prev.disabled = at <= 0;
    next.disabled = at < 0 || at >= shown.length - 1;
    close.focus();
  }

  function step(delta) {
    const shown = tiles().map((it) => it.index);
    const at = shown.indexOf(current);
    if (at >= 0 && shown[at + delta] !== undefined) show(shown[at + delta]);
  }

  function hide() {
    overlay.hidden = true;
    current = -1;
  }

  model.on("msg:custom", (msg, buffers) => {
    if (!msg || msg.type !== "image" || !buffers || !buffers.length) return;
    const data = buffers[0];
    const bytes = data instanceof DataView
      ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
      : new Uint8Array(data);
    const url = URL.createObjectURL(new Blob([bytes], { type: msg.mime || "image/png" }));
    if (urls.has(msg.index)) URL.revokeObjectURL(urls.get(msg.index));
    urls.set(msg.index, url);
    if (msg.index === current) show(current);
  });

  prev.addEventListener("click", () => step(-1));
  next.addEventListener("click", () => step(1));
  close.addEventListener("click", hide);
  save.addEventListener("click", () => {
    if (current >= 0) model.send({ type: "save", index: current });
  });
  overlay.addEventListener("click", (event) => {
    if (event.target === overlay) hide();
  });
  overlay.addEventListener("keydown", (event) => {
    if (event.key === "Escape") hide();
    else if (event.key === "ArrowLeft") step(-1);
    else if (event.key === "ArrowRight") step(1);
    else return;
    event.preventDefault();
    event.stopPropagation();
  });

  function draw() {
    grid.style.setProperty("--gnb-gallery-columns", String(model.get("columns") || 4));
    grid.replaceChildren();
    for (const item of model.get("items") || []) {
      const tile = el("div", "gnb-gallery-tile", { role: "listitem" });
      if (item.filtered) {
        tile.classList.add("gnb-gallery-filtered");
        const why = el("div", "gnb-gallery-reason");
        why.textContent = `Filtered out: ${item.filtered}`;
        tile.append(why);
      } else {
        const open = el("button", "gnb-gallery-open", {
          type: "button", title: `Open picture ${item.index + 1} (${label(item)})`,
        });
        const img = el("img", "gnb-gallery-thumb", { alt: `Picture ${item.index + 1}`, loading: "lazy" });
        if (item.thumb) img.src = item.thumb;
        open.append(img);
        open.addEventListener("click", () => show(item.index));
        const caption = el("div", "gnb-gallery-caption");
        caption.textContent = item.caption || label(item);
        tile.append(open, caption);
      }
      grid.append(tile);
    }
    const count = tiles().length;
    const filtered = (model.get("items") || []).length - count;
    const error = model.get("error");
    footer.classList.toggle("gnb-gallery-error", Boolean(error));
    footer.textContent = error || model.get("status") ||
      `${count} picture${count === 1 ? "" : "s"}` +
      (filtered ? ` · ${filtered} filtered out` : "") + " · click one to enlarge";
  }

  model.on("change:items", draw);
  model.on("change:columns", draw);
  model.on("change:status", draw);
  model.on("change:error", draw);
  draw();

  return () => {
    for (const url of urls.values()) URL.revokeObjectURL(url);
    urls.clear();
  };
}

export default { render };
