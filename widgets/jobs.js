// gemini-nb job monitors (anywidget front end; plain ES module, no dependencies).
//
// kind "batches": `rows` (one per batch job: name, display_name, state, model, requests,
// finished, failed, elapsed, done, error) as a table with a progress bar per job and Cancel /
// Delete buttons; Delete asks once. Buttons send {type: "action", action, name}.
// kind "tuning": `job` (state, epoch, epochs, step, total_steps, loss, elapsed, done) and
// `points` ([step, loss]) drawn as an SVG polyline with labelled axes.
// Both: `polling`, `busy`, `status`, `error`.
//
// Safety: every value is inserted as text.

const SVG = "http://www.w3.org/2000/svg";

function el(tag, className, attrs = {}) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  return node;
}

function svg(tag, attrs = {}) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, String(value));
  return node;
}

function button(className, text) {
  const node = el("button", className, { type: "button" });
  node.textContent = text;
  return node;
}

function stateBadge(state) {
  const badge = el("span", `gnb-jobs-state gnb-jobs-state-${String(state || "unknown").toLowerCase()}`);
  badge.textContent = String(state || "UNKNOWN").toLowerCase();
  return badge;
}

function progressBar(done, total, label) {
  const wrap = el("span", "gnb-jobs-progress");
  const bar = el("span", "gnb-jobs-bar", {
    role: "progressbar",
    "aria-valuemin": "0",
    "aria-valuemax": String(total || 0),
    "aria-valuenow": String(done || 0),
    "aria-label": label,
  });
  const fill = el("span", "gnb-jobs-fill");
  fill.style.width = `${total ? Math.min(100, (100 * done) / total) : 0}%`;
  bar.append(fill);
  const text = el("span", "gnb-jobs-count");
  text.textContent = total ? `${done}/${total}` : "–";
  wrap.append(bar, text);
  return wrap;
}

function header(root, model, titleText) {
  const title = el("span", "gnb-jobs-title");
  const live = el("span", "gnb-jobs-live");
  const refresh = button("gnb-jobs-refresh", "Refresh");
  const toolbar = el("div", "gnb-jobs-toolbar");
  toolbar.append(title, live, refresh);
  const statusLine = el("div", "gnb-jobs-status", { role: "status" });
  const errorLine = el("div", "gnb-jobs-error", { role: "alert" });
  refresh.addEventListener("click", () => model.send({ type: "action", action: "refresh", name: "" }));
  function update() {
    title.textContent = titleText();
    live.textContent = model.get("polling") ? "live" : "";
    live.hidden = !live.textContent;
    refresh.disabled = Boolean(model.get("busy"));
    root.classList.toggle("gnb-jobs-busy", Boolean(model.get("busy")));
    statusLine.textContent = model.get("status") || "";
    statusLine.hidden = !statusLine.textContent;
    errorLine.textContent = model.get("error") || "";
    errorLine.hidden = !errorLine.textContent;
  }
  return { nodes: [toolbar, statusLine, errorLine], update };
}

function renderBatches(model, root) {
  const rows = () => model.get("rows") || [];
  const running = () => rows().filter((r) => !r.done).length;
  const head = header(root, model, () => `Batch jobs · ${rows().length}${running() ? ` · ${running()} running` : ""}`);
  const scroller = el("div", "gnb-jobs-scroll");
  const table = el("table", "gnb-jobs-table");
  const thead = el("thead");
  const headRow = el("tr");
  for (const label of ["Job", "State", "Requests done", "Elapsed", ""]) {
    const th = el("th");
    th.textContent = label;
    headRow.append(th);
  }
  thead.append(headRow);
  const tbody = el("tbody");
  table.append(thead, tbody);
  const empty = el("div", "gnb-jobs-empty");
  scroller.append(table, empty);
  root.replaceChildren(...head.nodes, scroller);

  let confirming = null; // the name whose Delete asks "sure?"

  function send(action, name) {
    model.send({ type: "action", action, name });
  }

  function actions(r) {
    const cell = el("td", "gnb-jobs-actions");
    const busy = Boolean(model.get("busy"));
    if (confirming === r.name) {
      const ask = el("span", "gnb-jobs-confirm-text");
      ask.textContent = "Delete this job?";
      const yes = button("gnb-jobs-confirm-yes gnb-jobs-danger", "Yes, delete");
      const no = button("gnb-jobs-confirm-no", "No");
      yes.disabled = busy;
      yes.addEventListener("click", () => {
        confirming = null;
        send("delete", r.name);
        draw();
      });
      no.addEventListener("click", () => {
        confirming = null;
        draw();
      });
      cell.append(ask, yes, no);
      return cell;
    }
    const cancel = button("gnb-jobs-cancel", "Cancel");
    cancel.disabled = busy || Boolean(r.done);
    cancel.addEventListener("click", () => send("cancel", r.name));
    const del = button("gnb-jobs-delete gnb-jobs-danger", "Delete");
    del.disabled = busy;
    del.addEventListener("click", () => {
      confirming = r.name;
      draw();
    });
    cell.append(cancel, del);
    return cell;
  }

  function draw() {
    const all = rows();
    if (confirming !== null && !all.some((r) => r.name === confirming)) confirming = null;
    const trs = [];
    for (const r of all) {
      const tr = el("tr", r.error ? "gnb-jobs-has-error" : "", { "data-name": r.name });
      const job = el("td", "gnb-jobs-job");
      const shown = el("div", "gnb-jobs-display");
      shown.textContent = r.display_name || r.name;
      const name = el("div", "gnb-jobs-name");
      name.textContent = r.display_name ? r.name : "";
      const modelName = el("div", "gnb-jobs-name");
      modelName.textContent = r.model;
      job.append(shown, ...(r.display_name ? [name] : []), modelName);
      const state = el("td", "gnb-jobs-state-cell");
      state.append(stateBadge(r.state));
      const progress = el("td", "gnb-jobs-progress-cell");
      progress.append(progressBar(r.finished, r.requests, `Requests done of ${r.display_name || r.name}`));
      if (r.failed) {
        const failed = el("span", "gnb-jobs-failed");
        failed.textContent = `${r.failed} failed`;
        progress.append(failed);
      }
      const elapsed = el("td", "gnb-jobs-elapsed");
      elapsed.textContent = r.elapsed || "";
      tr.append(job, state, progress, elapsed, actions(r));
      trs.push(tr);
      if (r.error) {
        const errRow = el("tr", "gnb-jobs-row-error", { "data-name": r.name });
        const td = el("td", "", { colspan: "5" });
        td.textContent = r.error;
        errRow.append(td);
        trs.push(errRow);
      }
    }
    tbody.replaceChildren(...trs);
    empty.textContent = all.length ? "" : "No batch jobs yet.";
    empty.hidden = !empty.textContent;
    head.update();
  }

  const events = ["change:rows", "change:busy", "change:status", "change:error", "change:polling"];
  for (const e of events) model.on(e, draw);
  draw();
  return () => {
    for (const e of events) model.off(e, draw);
  };
}

function niceNumber(value) {
  if (!Number.isFinite(value)) return "";
  const abs = Math.abs(value);
  if (abs !== 0 && (abs < 0.001 || abs >= 100000)) return value.toExponential(2);
  return String(Number(value.toPrecision(3)));
}

function lossChart(points) {
  const W = 480;
  const H = 220;
  const m = { left: 56, right: 14, top: 12, bottom: 40 };
  const chart = svg("svg", {
    class: "gnb-jobs-chart",
    viewBox: `0 0 ${W} ${H}`,
    width: W,
    height: H,
    role: "img",
    "aria-label": `Mean loss over ${points.length} steps`,
  });
  const x0 = m.left;
  const x1 = W - m.right;
  const y0 = H - m.bottom;
  const y1 = m.top;
  chart.append(svg("line", { class: "gnb-jobs-axis", x1: x0, y1: y0, x2: x1, y2: y0 }));
  chart.append(svg("line", { class: "gnb-jobs-axis", x1: x0, y1: y0, x2: x0, y2: y1 }));
  const xLabel = svg("text", { class: "gnb-jobs-axis-label", x: (x0 + x1) / 2, y: H - 6, "text-anchor": "middle" });
  xLabel.textContent = "step";
  const yLabel = svg("text", {
    class: "gnb-jobs-axis-label",
    x: 12,
    y: (y0 + y1) / 2,
    "text-anchor": "middle",
    transform: `rotate(-90 12 ${(y0 + y1) / 2})`,
  });
  yLabel.textContent = "mean loss";
  chart.append(xLabel, yLabel);
  if (!points.length) {
    const wait = svg("text", { class: "gnb-jobs-axis-label", x: (x0 + x1) / 2, y: (y0 + y1) / 2, "text-anchor": "middle" });
    wait.textContent = "Waiting for the first step…";
    chart.append(wait);
    return chart;
  }
  const steps = points.map((p) => Number(p[0]));
  const losses = points.map((p) => Number(p[1]));
  const sMin = Math.min(...steps, 0);
  const sMax = Math.max(...steps, sMin + 1);
  let lMin = Math.min(...losses, 0);
  let lMax = Math.max(...losses);
  if (lMax === lMin) lMax = lMin + 1;
  const sx = (s) => x0 + ((s - sMin) / (sMax - sMin)) * (x1 - x0);
  const sy = (l) => y0 - ((l - lMin) / (lMax - lMin)) * (y0 - y1);
  const ticks = [
    [sx(sMin), y0 + 14, "middle", niceNumber(sMin)],
    [sx(sMax), y0 + 14, "middle", niceNumber(sMax)],
    [x0 - 6, sy(lMin) + 4, "end", niceNumber(lMin)],
    [x0 - 6, sy(lMax) + 4, "end", niceNumber(lMax)],
  ];
  for (const [x, y, anchor, text] of ticks) {
    const t = svg("text", { class: "gnb-jobs-tick", x, y, "text-anchor": anchor });
    t.textContent = text;
    chart.append(t);
  }
  const line = svg("polyline", {
    class: "gnb-jobs-loss",
    points: points.map((p) => `${sx(Number(p[0])).toFixed(1)},${sy(Number(p[1])).toFixed(1)}`).join(" "),
    fill: "none",
  });
  chart.append(line);
  const last = points[points.length - 1];
  chart.append(svg("circle", { class: "gnb-jobs-last", cx: sx(Number(last[0])).toFixed(1), cy: sy(Number(last[1])).toFixed(1), r: 3 }));
  return chart;
}

function renderTuning(model, root) {
  const job = () => model.get("job") || {};
  const head = header(root, model, () => `Tuning ${job().display_name || job().name || ""}`);
  const facts = el("div", "gnb-jobs-facts");
  const plot = el("div", "gnb-jobs-plot");
  root.replaceChildren(...head.nodes, facts, plot);

  function fact(label, value) {
    const item = el("span", "gnb-jobs-fact");
    const key = el("span", "gnb-jobs-fact-label");
    key.textContent = label;
    const val = el("span", "gnb-jobs-fact-value");
    val.textContent = value;
    item.append(key, val);
    return item;
  }

  function draw() {
    const j = job();
    const state = el("span", "gnb-jobs-fact");
    state.append(stateBadge(j.state));
    const epoch = j.epoch == null ? "–" : `${j.epoch}${j.epochs ? ` of ${j.epochs}` : ""}`;
    const step = fact("Step", j.step == null ? "–" : `${j.step}${j.total_steps ? ` of ${j.total_steps}` : ""}`);
    if (j.total_steps) step.append(progressBar(j.step || 0, j.total_steps, "Steps done"));
    facts.replaceChildren(
      state,
      fact("Epoch", epoch),
      step,
      fact("Loss", j.loss == null ? "–" : Number(j.loss).toFixed(4)),
      fact("Elapsed", j.elapsed || "–"),
    );
    plot.replaceChildren(lossChart(model.get("points") || []));
    head.update();
  }

  const events = ["change:job", "change:points", "change:busy", "change:status", "change:error", "change:polling"];
  for (const e of events) model.on(e, draw);
  draw();
  return () => {
    for (const e of events) model.off(e, draw);
  };
}

function render({ model, el: root }) {
  root.classList.add("gnb-jobs");
  return model.get("kind") === "tuning" ? renderTuning(model, root) : renderBatches(model, root);
}

export default { render };
