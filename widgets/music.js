// gemini-nb music widget (anywidget front end; plain ES module, no dependencies).
//
// Play opens an AudioContext at 48 kHz (in the click, so that it may play) and asks the kernel
// to play. The kernel relays the session's audio ({type: "audio", seq} + one buffer of PCM16,
// 48 kHz, stereo, interleaved) and an AudioWorklet (the kernel's `_worklet` trait, loaded from
// a Blob URL) plays it from a queue, back to back, after a `prebuffer_ms` jitter buffer. Pause
// holds the queue (the music resumes where it was), Stop drops it ({type: "flush"} from the
// kernel too). An AnalyserNode after the worklet drives the level; the worklet's 10 ms
// envelope of what it played draws the scrolling waveform.
//
// Only one view plays: the one whose Play began the session (`active_view`); other views show
// the controls. A session started from Python is claimed by the first view that can play it.
//
// Kernel state: `state`, `prompts`, `config`, `recording`, `recorded_seconds`,
// `received_seconds`, `filtered`, `error`, `notice`, `active_view`, `prebuffer_ms`,
// `_worklet`. We set `prompts`, `config` and `recording`, and send {type: "play", view},
// {type: "pause"}, {type: "stop"}, {type: "reset"}, {type: "save"}, {type: "claim", view}.
//
// For tests and the curious, the root element carries what the audio path did as data
// attributes, updated 20 times a second: data-state, data-audio (off/on), data-received
// (seconds of audio received by this view), data-played (seconds played: counted in the
// worklet as samples leave for the speakers), data-queued, data-underruns (gaps),
// data-held, data-level (RMS of the output, 0..1, from the analyser), data-peak (the highest
// level so far); and `root.gnbMusicEnvelope()` returns the envelope of the last 30 s played
// (one mean |sample| per 10 ms, oldest first).
//
// Safety: prompt texts, filtered reasons, notices and errors are always inserted as text.

const RATE = 48000;
const STATS_MS = 50;
const ENVELOPE_SECONDS = 30;
const SEND_MS = 150; // sliders that steer smoothly send at most this often while dragged

const STATUS = {
  idle: "Not started",
  connecting: "Connecting…",
  playing: "Playing",
  paused: "Paused",
  stopped: "Stopped",
  ended: "Ended",
  error: "Stopped",
};

// Config controls: the set fields of LiveMusicGenerationConfig; "auto" is the server's
// default (the field is left out). `shown` is where an auto slider rests.
const NUMBERS = [
  { key: "bpm", label: "BPM", min: 60, max: 200, step: 1, shown: 120, on: "change", digits: 0 },
  { key: "density", label: "Density", min: 0, max: 1, step: 0.01, shown: 0.5, on: "input", digits: 2 },
  { key: "brightness", label: "Brightness", min: 0, max: 1, step: 0.01, shown: 0.5, on: "input", digits: 2 },
  { key: "guidance", label: "Guidance", min: 0, max: 6, step: 0.1, shown: 4, on: "input", digits: 1 },
  { key: "temperature", label: "Temperature", min: 0, max: 3, step: 0.05, shown: 1.1, on: "input", digits: 2 },
  { key: "top_k", label: "Top-k", min: 1, max: 1000, step: 1, shown: 40, on: "change", digits: 0 },
];
const FLAGS = [
  { key: "mute_bass", label: "Mute bass" },
  { key: "mute_drums", label: "Mute drums" },
  { key: "only_bass_and_drums", label: "Only bass & drums" },
];
const SCALES = [
  ["C_MAJOR_A_MINOR", "C major / A minor"],
  ["D_FLAT_MAJOR_B_FLAT_MINOR", "D♭ major / B♭ minor"],
  ["D_MAJOR_B_MINOR", "D major / B minor"],
  ["E_FLAT_MAJOR_C_MINOR", "E♭ major / C minor"],
  ["E_MAJOR_D_FLAT_MINOR", "E major / C♯ minor"],
  ["F_MAJOR_D_MINOR", "F major / D minor"],
  ["G_FLAT_MAJOR_E_FLAT_MINOR", "G♭ major / E♭ minor"],
  ["G_MAJOR_E_MINOR", "G major / E minor"],
  ["A_FLAT_MAJOR_F_MINOR", "A♭ major / F minor"],
  ["A_MAJOR_G_FLAT_MINOR", "A major / F♯ minor"],
  ["B_FLAT_MAJOR_G_MINOR", "B♭ major / G minor"],
  ["B_MAJOR_A_FLAT_MINOR", "B major / G♯ minor"],
];

function el(tag, className, attrs = {}) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  return node;
}

function button(className, text, title) {
  const node = el("button", className, { type: "button" });
  node.textContent = text;
  if (title) node.title = title;
  return node;
}

function newId(prefix) {
  const random = Math.random().toString(36).slice(2, 10);
  return `${prefix}-${Date.now().toString(36)}-${random}`;
}

function asDataView(buffer) {
  if (buffer instanceof DataView) return buffer;
  if (buffer instanceof ArrayBuffer) return new DataView(buffer);
  if (ArrayBuffer.isView(buffer)) return new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  return null;
}

// Interleaved stereo PCM16 (little-endian) as two Float32Arrays.
function splitStereo(view) {
  const frames = Math.floor(view.byteLength / 4);
  const left = new Float32Array(frames);
  const right = new Float32Array(frames);
  for (let i = 0; i < frames; i++) {
    left[i] = view.getInt16(4 * i, true) / 32768;
    right[i] = view.getInt16(4 * i + 2, true) / 32768;
  }
  return [left, right];
}

function formatTime(seconds) {
  const s = Math.max(0, Math.floor(Number(seconds) || 0));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

// A fixed-size ring of numbers, read oldest first.
class Ring {
  constructor(size) {
    this.data = new Float32Array(size);
    this.size = size;
    this.count = 0; // ever written
  }

  push(values) {
    for (const v of values) this.data[this.count++ % this.size] = v;
  }

  last(n) {
    const k = Math.min(n, this.count, this.size);
    const out = new Array(k);
    for (let i = 0; i < k; i++) out[i] = this.data[(this.count - k + i) % this.size];
    return out;
  }
}

// The AudioContext, the player worklet and the analyser of one view.
class AudioPath {
  constructor(model, onStats) {
    this.model = model;
    this.onStats = onStats;
    this.ctx = null;
    this.player = null;
    this.analyser = null;
    this.url = null;
    this.closed = false;
    this.ready = null;
    this.pending = []; // audio that came before the worklet was ready
  }

  // Call from a click when there is one, so that the context may start.
  open() {
    const Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) return Promise.reject(new Error("this browser has no Web Audio"));
    try {
      this.ctx = new Context({ latencyHint: "playback", sampleRate: RATE });
    } catch (err) {
      this.ctx = new Context({ latencyHint: "playback" }); // a browser that will not run at 48 kHz
    }
    const resumed = this.ctx.resume();
    this.url = URL.createObjectURL(new Blob([this.model.get("_worklet")], { type: "text/javascript" }));
    this.ready = (async () => {
      await this.ctx.audioWorklet.addModule(this.url);
      await resumed;
      if (this.closed) return;
      this.player = new AudioWorkletNode(this.ctx, "gnb-music-player", {
        numberOfInputs: 0,
        numberOfOutputs: 1,
        outputChannelCount: [2],
        processorOptions: {
          sourceRate: RATE,
          prebufferMs: Number(this.model.get("prebuffer_ms")) || 1000,
          statsMs: STATS_MS,
        },
      });
      this.player.port.onmessage = (event) => this.onStats(event.data);
      this.analyser = this.ctx.createAnalyser();
      this.analyser.fftSize = 2048;
      this.player.connect(this.analyser);
      this.analyser.connect(this.ctx.destination);
      for (const message of this.pending.splice(0)) this.post(message);
    })();
    return this.ready;
  }

  post(message, transfer) {
    if (!this.player) {
      this.pending.push(message);
      return;
    }
    this.player.port.postMessage(message, transfer || []);
  }

  play(buffer) {
    const view = asDataView(buffer);
    if (!view || view.byteLength < 4) return 0;
    const [left, right] = splitStereo(view);
    const seconds = left.length / RATE;
    this.post({ type: "audio", left, right }, this.player ? [left.buffer, right.buffer] : []);
    return seconds;
  }

  hold(on) {
    this.post({ type: "hold", on });
  }

  flush() {
    this.pending = this.pending.filter((m) => m.type !== "audio");
    if (this.player) this.player.port.postMessage({ type: "flush" });
  }

  level(scratch) {
    if (!this.analyser) return 0;
    this.analyser.getFloatTimeDomainData(scratch);
    let sum = 0;
    for (let i = 0; i < scratch.length; i++) sum += scratch[i] * scratch[i];
    return Math.sqrt(sum / scratch.length);
  }

  close() {
    this.closed = true;
    if (this.player) this.player.port.onmessage = null;
    if (this.ctx && this.ctx.state !== "closed") this.ctx.close().catch(() => {});
    if (this.url) URL.revokeObjectURL(this.url);
    this.ctx = this.player = this.analyser = this.url = null;
    this.pending = [];
  }
}

function render({ model, el: root }) {
  root.classList.add("gnb-music");
  const viewId = newId("v");

  // -- the bar: status and transport ------------------------------------------------------------
  const bar = el("div", "gnb-music-bar");
  const dot = el("span", "gnb-music-dot", { "aria-hidden": "true" });
  const status = el("span", "gnb-music-status", { role: "status" });
  const playButton = button("gnb-music-play", "▶ Play", "Start or resume the music");
  const pauseButton = button("gnb-music-pause", "❚❚ Pause", "Hold the music (Play resumes it)");
  const stopButton = button("gnb-music-stop", "■ Stop", "Stop, and start afresh on Play");
  const resetButton = button("gnb-music-reset", "↺ Reset", "Start the music's context afresh, without stopping");
  const recordButton = button("gnb-music-record", "● Record", "Keep the audio in the kernel, for saving");
  recordButton.setAttribute("aria-pressed", "false");
  const saveButton = button("gnb-music-save", "Save WAV", "Write the recording to gemini_music/ in the kernel");
  const clock = el("span", "gnb-music-clock");
  bar.append(dot, status, playButton, pauseButton, stopButton, resetButton, recordButton, saveButton, clock);

  // -- the waveform -------------------------------------------------------------------------------
  const wave = el("canvas", "gnb-music-wave", { role: "img", "aria-label": "Waveform of the music as it plays" });

  // -- prompts ------------------------------------------------------------------------------------
  const promptBox = el("div", "gnb-music-prompts");
  const promptHead = el("div", "gnb-music-head");
  promptHead.textContent = "Prompts";
  const promptList = el("div", "gnb-music-prompt-list", { role: "list" });
  const addButton = button("gnb-music-add", "+ Add prompt");
  promptBox.append(promptHead, promptList, addButton);

  // -- config ------------------------------------------------------------------------------------
  const configBox = el("div", "gnb-music-config");
  const configHead = el("div", "gnb-music-head");
  configHead.textContent = "Config";
  const grid = el("div", "gnb-music-grid");
  configBox.append(configHead, grid);
  const controls = {}; // key -> {update()}

  const filteredLine = el("div", "gnb-music-filtered", { role: "note" });
  const notice = el("div", "gnb-music-notice", { role: "note" });
  const errorLine = el("div", "gnb-music-error", { role: "alert" });
  const footer = el("div", "gnb-music-footer");
  root.replaceChildren(bar, wave, notice, errorLine, filteredLine, promptBox, configBox, footer);

  // -- state of this view --------------------------------------------------------------------------
  let audio = null; // this view's AudioPath while it plays
  let claimed = false; // this view pressed Play: it owns the audio before the kernel says so
  let localNotice = "";
  const stats = { received: 0, played: 0, queued: 0, underruns: 0, held: false, peak: 0, level: 0 };
  const envelope = new Ring(ENVELOPE_SECONDS * 100);
  const peaks = new Ring(ENVELOPE_SECONDS * 100);
  const scratch = new Float32Array(2048);
  let timer = null;
  let colours = null;
  let coloursAt = 0;

  const owner = () => claimed || model.get("active_view") === viewId;
  const running = () => ["connecting", "playing", "paused", "stopped"].includes(model.get("state"));
  root.gnbMusicEnvelope = () => envelope.last(envelope.size);

  function onStats(data) {
    if (!data || data.type !== "stats") return;
    stats.played = data.played;
    stats.queued = data.queued;
    stats.underruns = data.underruns;
    stats.held = data.held;
    envelope.push(data.env || []);
    peaks.push(data.peaks || []);
    root.classList.toggle("gnb-music-sounding", Boolean(data.playing));
    draw();
  }

  function themeColours() {
    const now = Date.now();
    if (!colours || now - coloursAt > 1000) {
      const style = getComputedStyle(root);
      colours = {
        wave: style.getPropertyValue("--gnb-music-accent").trim() || "#1976d2",
        body: style.getPropertyValue("--gnb-music-wave-body").trim() || "#64b5f6",
        axis: style.getPropertyValue("--gnb-music-axis").trim() || "#bdbdbd",
      };
      coloursAt = now;
    }
    return colours;
  }

  function draw() {
    const ratio = window.devicePixelRatio || 1;
    const width = Math.max(1, Math.round(wave.clientWidth * ratio));
    const height = Math.max(1, Math.round(wave.clientHeight * ratio));
    if (wave.width !== width || wave.height !== height) {
      wave.width = width;
      wave.height = height;
    }
    const ctx = wave.getContext("2d");
    if (!ctx) return;
    const { wave: stroke, body, axis } = themeColours();
    ctx.clearRect(0, 0, width, height);
    const mid = height / 2;
    ctx.fillStyle = axis;
    ctx.fillRect(0, Math.floor(mid), width, Math.max(1, Math.round(ratio)));
    // One column per 10 ms window, newest at the right: about eight seconds across.
    const column = Math.max(1, Math.round(ratio));
    const count = Math.floor(width / column);
    const tops = peaks.last(count);
    const means = envelope.last(count);
    const offset = count - tops.length;
    ctx.fillStyle = body;
    for (let i = 0; i < tops.length; i++) {
      const h = Math.min(1, tops[i]) * (mid - 1);
      ctx.fillRect((offset + i) * column, mid - h, column, 2 * h);
    }
    ctx.fillStyle = stroke;
    for (let i = 0; i < means.length; i++) {
      const h = Math.min(1, means[i] * 2) * (mid - 1);
      ctx.fillRect((offset + i) * column, mid - h, column, 2 * h);
    }
  }

  function tick() {
    stats.level = audio ? audio.level(scratch) : 0;
    stats.peak = Math.max(stats.peak, stats.level);
    const d = root.dataset;
    d.state = model.get("state") || "idle";
    d.audio = audio ? "on" : "off";
    d.received = stats.received.toFixed(3);
    d.played = stats.played.toFixed(3);
    d.queued = stats.queued.toFixed(3);
    d.underruns = String(stats.underruns);
    d.held = String(Boolean(stats.held));
    d.level = stats.level.toFixed(4);
    d.peak = stats.peak.toFixed(4);
    clock.textContent = audio ? formatTime(stats.played) : "";
  }

  function startTimer() {
    if (timer === null) timer = setInterval(tick, STATS_MS);
  }

  function stopAudio() {
    if (audio) audio.close();
    audio = null;
    claimed = false;
    tick();
    renderStatus();
  }

  // Synchronously inside a click when there is one: the AudioContext is made (and may start)
  // here.
  function openAudio() {
    if (audio) return audio.ready;
    const path = new AudioPath(model, onStats);
    audio = path;
    localNotice = "";
    stats.peak = 0;
    startTimer();
    return path.open().then(
      () => {
        if (audio === path) path.hold(model.get("state") === "paused");
        renderStatus();
      },
      (err) => {
        if (audio !== path) return;
        localNotice = `No sound: the browser could not start Web Audio (${(err && err.message) || err}).`;
        path.close();
        audio = null;
        renderStatus();
      },
    );
  }

  // -- prompts -----------------------------------------------------------------------------------

  let sendTimer = null;
  let pendingPrompts = null;

  function prompts() {
    return (model.get("prompts") || []).map((p) => ({ ...p }));
  }

  function savePrompts(list, now) {
    pendingPrompts = list;
    const flush = () => {
      sendTimer = null;
      if (!pendingPrompts) return;
      model.set("prompts", pendingPrompts);
      model.save_changes();
      pendingPrompts = null;
    };
    if (now) {
      if (sendTimer !== null) clearTimeout(sendTimer);
      flush();
    } else if (sendTimer === null) {
      sendTimer = setTimeout(flush, SEND_MS);
    }
  }

  function editPrompt(id, fields, now) {
    const list = (pendingPrompts || prompts()).map((p) => (p.id === id ? { ...p, ...fields } : p));
    savePrompts(list, now);
  }

  function promptRow(prompt) {
    const row = el("div", "gnb-music-prompt", { role: "listitem", "data-id": prompt.id });
    const text = el("input", "gnb-music-prompt-text", {
      type: "text",
      placeholder: "Describe the music (e.g. minimal techno, warm pads)",
      "aria-label": "Prompt",
      "data-lm-suppress-shortcuts": "true",
    });
    const weight = el("input", "gnb-music-weight", {
      type: "range",
      min: "0",
      max: "2",
      step: "0.01",
      "aria-label": "Weight",
    });
    const value = el("span", "gnb-music-weight-value");
    const remove = button("gnb-music-remove", "✕", "Remove this prompt");
    remove.setAttribute("aria-label", "Remove this prompt");
    text.addEventListener("change", () => editPrompt(prompt.id, { text: text.value }, true));
    text.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.isComposing) {
        event.preventDefault();
        editPrompt(prompt.id, { text: text.value }, true);
      }
    });
    weight.addEventListener("input", () => {
      value.textContent = Number(weight.value).toFixed(2);
      row.classList.toggle("gnb-music-muted", Number(weight.value) === 0);
      editPrompt(prompt.id, { weight: Number(weight.value) }, false);
    });
    weight.addEventListener("change", () => editPrompt(prompt.id, { weight: Number(weight.value) }, true));
    remove.addEventListener("click", () => {
      const list = (pendingPrompts || prompts()).filter((p) => p.id !== prompt.id);
      savePrompts(list, true);
    });
    row.append(text, weight, value, remove);
    fillPrompt(row, prompt);
    return row;
  }

  function fillPrompt(row, prompt) {
    const text = row.querySelector(".gnb-music-prompt-text");
    const weight = row.querySelector(".gnb-music-weight");
    const value = row.querySelector(".gnb-music-weight-value");
    // Leave alone what the user is editing right now.
    if (document.activeElement !== text) text.value = prompt.text || "";
    if (document.activeElement !== weight) weight.value = String(prompt.weight ?? 1);
    value.textContent = Number(prompt.weight ?? 1).toFixed(2);
    row.classList.toggle("gnb-music-muted", Number(prompt.weight) === 0 || !String(prompt.text || "").trim());
  }

  function renderPrompts() {
    const list = prompts();
    const existing = new Map([...promptList.children].map((n) => [n.getAttribute("data-id"), n]));
    const rows = list.map((p) => {
      const node = existing.get(p.id);
      if (node) {
        fillPrompt(node, p);
        return node;
      }
      return promptRow(p);
    });
    promptList.replaceChildren(...rows);
    renderStatus();
  }

  addButton.addEventListener("click", () => {
    const id = newId("p");
    savePrompts([...(pendingPrompts || prompts()), { id, text: "", weight: 1 }], true);
    // Focus the new prompt's text once the row exists.
    requestAnimationFrame(() => {
      const row = [...promptList.children].find((n) => n.getAttribute("data-id") === id);
      const input = row && row.querySelector(".gnb-music-prompt-text");
      if (input) input.focus();
    });
  });

  // -- config -------------------------------------------------------------------------------------

  let configTimer = null;
  let pendingConfig = null;

  function setConfig(key, value, now) {
    const next = { ...(pendingConfig || model.get("config") || {}) };
    if (value === null || value === undefined || value === "") delete next[key];
    else next[key] = value;
    pendingConfig = next;
    const flush = () => {
      configTimer = null;
      if (!pendingConfig) return;
      model.set("config", pendingConfig);
      model.save_changes();
      pendingConfig = null;
    };
    if (now) {
      if (configTimer !== null) clearTimeout(configTimer);
      flush();
    } else if (configTimer === null) {
      configTimer = setTimeout(flush, SEND_MS);
    }
  }

  for (const spec of NUMBERS) {
    const box = el("div", "gnb-music-control", { "data-key": spec.key });
    const label = el("label", "gnb-music-label");
    const id = newId(spec.key);
    label.textContent = spec.label;
    label.htmlFor = id;
    const slider = el("input", "gnb-music-slider", {
      id,
      type: "range",
      min: String(spec.min),
      max: String(spec.max),
      step: String(spec.step),
    });
    const value = el("span", "gnb-music-value");
    const auto = button("gnb-music-auto", "↺", `Back to auto: leave ${spec.label} to the model`);
    auto.setAttribute("aria-label", `${spec.label}: back to auto`);
    slider.addEventListener("input", () => {
      value.textContent = Number(slider.value).toFixed(spec.digits);
      box.classList.remove("gnb-music-unset");
      if (spec.on === "input") setConfig(spec.key, Number(slider.value), false);
    });
    slider.addEventListener("change", () => setConfig(spec.key, Number(slider.value), true));
    auto.addEventListener("click", () => setConfig(spec.key, null, true));
    box.append(label, slider, value, auto);
    grid.append(box);
    controls[spec.key] = {
      update(config) {
        const set = config[spec.key] !== undefined && config[spec.key] !== null;
        box.classList.toggle("gnb-music-unset", !set);
        if (document.activeElement !== slider) slider.value = String(set ? config[spec.key] : spec.shown);
        value.textContent = set ? Number(config[spec.key]).toFixed(spec.digits) : "auto";
        auto.hidden = !set; // shown only as a way back to the model's choice
      },
    };
  }

  {
    const box = el("div", "gnb-music-control", { "data-key": "scale" });
    const label = el("label", "gnb-music-label");
    const id = newId("scale");
    label.textContent = "Scale";
    label.htmlFor = id;
    const select = el("select", "gnb-music-scale", { id });
    const automatic = el("option", "", { value: "" });
    automatic.textContent = "auto";
    select.append(automatic);
    for (const [name, text] of SCALES) {
      const option = el("option", "", { value: name });
      option.textContent = text;
      select.append(option);
    }
    select.addEventListener("change", () => setConfig("scale", select.value || null, true));
    box.append(label, select);
    grid.append(box);
    controls.scale = {
      update(config) {
        select.value = config.scale || "";
        box.classList.toggle("gnb-music-unset", !config.scale);
      },
    };
  }

  {
    const box = el("div", "gnb-music-control", { "data-key": "seed" });
    const label = el("label", "gnb-music-label");
    const id = newId("seed");
    label.textContent = "Seed";
    label.htmlFor = id;
    const input = el("input", "gnb-music-seed", {
      id,
      type: "number",
      step: "1",
      placeholder: "random",
      "data-lm-suppress-shortcuts": "true",
    });
    input.addEventListener("change", () => {
      const n = Number.parseInt(input.value, 10);
      setConfig("seed", Number.isFinite(n) ? n : null, true);
    });
    box.append(label, input);
    grid.append(box);
    controls.seed = {
      update(config) {
        if (document.activeElement !== input) input.value = config.seed ?? "";
      },
    };
  }

  const flags = el("div", "gnb-music-flags");
  for (const spec of FLAGS) {
    const label = el("label", "gnb-music-flag");
    const box = el("input", "", { type: "checkbox", "data-key": spec.key });
    box.addEventListener("change", () => setConfig(spec.key, box.checked ? true : null, true));
    label.append(box, document.createTextNode(` ${spec.label}`));
    flags.append(label);
    controls[spec.key] = {
      update(config) {
        box.checked = Boolean(config[spec.key]);
      },
    };
  }
  configBox.append(flags);

  function renderConfig() {
    const config = model.get("config") || {};
    for (const control of Object.values(controls)) control.update(config);
  }

  // -- status -------------------------------------------------------------------------------------

  function hasPrompt() {
    return prompts().some((p) => String(p.text || "").trim() && Number(p.weight) !== 0);
  }

  function renderStatus() {
    const state = model.get("state") || "idle";
    const mine = owner();
    root.dataset.state = state;
    dot.dataset.state = state;
    let text = STATUS[state] || state;
    if (running() && !mine && model.get("active_view")) text += " · in another view";
    status.textContent = text;
    const live = running();
    playButton.disabled = state === "playing" || state === "connecting" || !hasPrompt();
    playButton.title = hasPrompt() ? "Start or resume the music" : "Add a prompt first";
    pauseButton.disabled = state !== "playing";
    stopButton.disabled = !(state === "playing" || state === "paused");
    resetButton.disabled = !live || state === "connecting";
    const recording = Boolean(model.get("recording"));
    recordButton.setAttribute("aria-pressed", String(recording));
    recordButton.classList.toggle("gnb-music-on", recording);
    const recorded = Number(model.get("recorded_seconds")) || 0;
    recordButton.textContent = recording ? `● Recording ${formatTime(recorded)}` : "● Record";
    saveButton.disabled = recorded <= 0;
    const message = localNotice || model.get("notice") || "";
    notice.textContent = message;
    notice.hidden = !message;
    const error = model.get("error") || "";
    errorLine.textContent = error;
    errorLine.hidden = !error;
    const filtered = model.get("filtered") || [];
    filteredLine.replaceChildren();
    if (filtered.length) {
      const last = filtered[filtered.length - 1];
      const what = el("b");
      what.textContent = `“${last.text}”`;
      filteredLine.append("Filtered out: ", what, ` — ${last.reason || "no reason given"}`);
    }
    filteredLine.hidden = !filtered.length;
    const received = Number(model.get("received_seconds")) || 0;
    const parts = [model.get("model") || ""];
    if (received) parts.push(`${formatTime(received)} received`);
    if (recorded) parts.push(`${recorded.toFixed(1)} s recorded · in Python: widget.save("music.wav")`);
    footer.textContent = parts.join(" · ");
  }

  function onState() {
    const state = model.get("state");
    const view = model.get("active_view");
    if (view && view !== viewId) claimed = false;
    if (audio && (state === "ended" || state === "error" || (view && view !== viewId))) stopAudio();
    if (audio) {
      if (state === "paused") audio.hold(true);
      else if (state === "playing") audio.hold(false);
      else if (state === "stopped") audio.flush();
    }
    renderStatus();
    tick();
  }

  function onCustom(msg, buffers) {
    if (!msg || typeof msg !== "object") return;
    if (msg.type === "flush") {
      if (audio) audio.flush();
      return;
    }
    if (msg.type !== "audio" || !buffers || !buffers.length) return;
    const view = model.get("active_view");
    if (!audio && !view && !claimed) {
      // A session started from Python: the first view that can play it takes it.
      claimed = true;
      model.send({ type: "claim", view: viewId });
      openAudio();
    }
    if (!audio || !owner()) return;
    stats.received += audio.play(buffers[0]);
  }

  playButton.addEventListener("click", () => {
    claimed = true;
    openAudio(); // inside the click
    if (audio) audio.hold(false);
    model.send({ type: "play", view: viewId });
    renderStatus();
  });
  pauseButton.addEventListener("click", () => {
    if (audio && owner()) audio.hold(true);
    model.send({ type: "pause" });
  });
  stopButton.addEventListener("click", () => {
    if (audio && owner()) audio.flush();
    model.send({ type: "stop" });
  });
  resetButton.addEventListener("click", () => model.send({ type: "reset" }));
  recordButton.addEventListener("click", () => {
    model.set("recording", !model.get("recording"));
    model.save_changes();
  });
  saveButton.addEventListener("click", () => model.send({ type: "save" }));

  const onPrompts = () => renderPrompts();
  const onConfig = () => renderConfig();
  const onStatus = () => renderStatus();
  model.on("change:state", onState);
  model.on("change:active_view", onState);
  model.on("change:prompts", onPrompts);
  model.on("change:config", onConfig);
  for (const name of ["recording", "recorded_seconds", "received_seconds", "filtered", "error", "notice", "model"]) {
    model.on(`change:${name}`, onStatus);
  }
  model.on("msg:custom", onCustom);
  const resize = typeof ResizeObserver === "function" ? new ResizeObserver(() => draw()) : null;
  if (resize) resize.observe(wave);

  renderPrompts();
  renderConfig();
  renderStatus();
  tick();
  draw();

  return () => {
    stopAudio();
    if (timer !== null) clearInterval(timer);
    if (sendTimer !== null) clearTimeout(sendTimer);
    if (configTimer !== null) clearTimeout(configTimer);
    if (resize) resize.disconnect();
    model.off("change:state", onState);
    model.off("change:active_view", onState);
    model.off("change:prompts", onPrompts);
    model.off("change:config", onConfig);
    for (const name of ["recording", "recorded_seconds", "received_seconds", "filtered", "error", "notice", "model"]) {
      model.off(`change:${name}`, onStatus);
    }
    model.off("msg:custom", onCustom);
    delete root.gnbMusicEnvelope;
  };
}

export default { render };
