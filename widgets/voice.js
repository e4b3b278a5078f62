// gemini-nb voice widget (anywidget front end; plain ES module, no dependencies).
//
// Start opens an AudioContext (in the click, so that it may play) and the microphone. Two
// AudioWorklet processors do the audio (their module is the kernel's `_worklet` trait, loaded
// from a Blob URL): gnb-capture resamples the microphone to 16 kHz PCM16 frames of `chunk_ms`,
// which go to the kernel as binary custom messages {type: "audio", seq} + buffer; gnb-playback
// plays the model's 24 kHz PCM16 ({type: "audio"} + buffer from the kernel) from a queue, back
// to back after a `prebuffer_ms` jitter buffer, and drops the queue at once on
// {type: "interrupted"}. AnalyserNodes on the microphone and on the playback output drive the
// two level meters.
//
// Only one view owns the audio: the one whose Start began the session (`active_view`); other
// views of the same widget show the transcript. Where there is no microphone (no secure
// context, no device, permission refused) the view says why and the text box still works.
//
// Kernel state: `state`, `muted`, `transcript`, `error`, `notice`, `usage`, `active_view`,
// `chunk_ms`, `prebuffer_ms`, `_worklet`. We send {type: "start", view}, {type: "audio", seq},
// {type: "text", text}, {type: "end"}, {type: "mic", view, ok, reason}; the kernel sends
// {type: "audio"}, {type: "interrupted"}, {type: "turn_complete"}, {type: "line", index, text}.
//
// For tests and the curious, the root element carries what the audio path did as data
// attributes, updated 20 times a second: data-audio (off/on), data-mic (on/muted/off),
// data-sent (seconds of microphone audio sent), data-received (seconds of model audio received),
// data-played (seconds played: counted in the playback worklet as samples leave for the
// speakers), data-queued, data-flushed (seconds dropped by interruptions), data-flushes,
// data-underruns (gaps: playback ran dry in the middle of a turn), data-mic-level and
// data-speaker-level (RMS, 0..1, from the analysers), data-speaker-peak (the highest speaker
// level so far).
//
// Safety: transcript text, tool names, arguments and errors are always inserted as text.

const INPUT_RATE = 16000;
const OUTPUT_RATE = 24000;
const STATS_MS = 50;
const STICKY_PX = 48;

const STATUS = {
  idle: "Not started",
  connecting: "Connecting…",
  live: "Live",
  ended: "Ended",
  error: "Stopped",
};

function el(tag, className, attrs = {}) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  return node;
}

function newViewId() {
  const random = Math.random().toString(36).slice(2, 10);
  return `v-${Date.now().toString(36)}-${random}`;
}

// Why there is no microphone, in words, from a getUserMedia failure (or its absence).
function micProblem(err) {
  if (!window.isSecureContext) {
    return "No microphone: this page is not a secure context (the browser allows microphones on https:// pages and on localhost only). Type below instead.";
  }
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    return "No microphone: this browser gives this page no access to one. Type below instead.";
  }
  const name = err && err.name;
  if (name === "NotAllowedError" || name === "SecurityError") {
    return "No microphone: permission was denied (allow it in the browser's site settings and press Start again). Type below instead.";
  }
  if (name === "NotFoundError" || name === "OverconstrainedError") {
    return "No microphone: none was found on this computer. Type below instead.";
  }
  if (name === "NotReadableError" || name === "AbortError") {
    return "No microphone: it could not be opened (another application may be using it). Type below instead.";
  }
  return `No microphone: ${(err && err.message) || err || "it could not be opened"}. Type below instead.`;
}

function rms(analyser, scratch) {
  analyser.getFloatTimeDomainData(scratch);
  let sum = 0;
  for (let i = 0; i < scratch.length; i++) sum += scratch[i] * scratch[i];
  return Math.sqrt(sum / scratch.length);
}

// 0..1 on a -60..0 dBFS scale, for the meters.
function meterFraction(level) {
  if (level <= 0) return 0;
  const db = 20 * Math.log10(level);
  return Math.max(0, Math.min(1, (db + 60) / 60));
}

function pcm16ToFloat(view) {
  const n = Math.floor(view.byteLength / 2);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = view.getInt16(2 * i, true) / 32768;
  return out;
}

function asDataView(buffer) {
  if (buffer instanceof DataView) return buffer;
  if (buffer instanceof ArrayBuffer) return new DataView(buffer);
  if (ArrayBuffer.isView(buffer)) return new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  return null;
}

// The microphone, the speaker and the two worklets of one view.
class AudioPath {
  constructor(model, { onFrame, onStats }) {
    this.model = model;
    this.onFrame = onFrame;
    this.onStats = onStats;
    this.ctx = null;
    this.stream = null;
    this.capture = null;
    this.playback = null;
    this.micAnalyser = null;
    this.speakerAnalyser = null;
    this.url = null;
    this.closed = false;
  }

  // The AudioContext and the playback path; call from a click so that the context may start.
  async open() {
    const Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) throw new Error("this browser has no Web Audio");
    this.ctx = new Context({ latencyHint: "interactive" });
    const resumed = this.ctx.resume(); // inside the click's user activation
    this.url = URL.createObjectURL(new Blob([this.model.get("_worklet")], { type: "text/javascript" }));
    await this.ctx.audioWorklet.addModule(this.url);
    await resumed;
    if (this.closed) return;
    this.playback = new AudioWorkletNode(this.ctx, "gnb-playback", {
      numberOfInputs: 0,
      numberOfOutputs: 1,
      outputChannelCount: [1],
      processorOptions: {
        sourceRate: OUTPUT_RATE,
        prebufferMs: Number(this.model.get("prebuffer_ms")) || 120,
        statsMs: STATS_MS,
      },
    });
    this.playback.port.onmessage = (event) => this.onStats(event.data);
    this.speakerAnalyser = this.ctx.createAnalyser();
    this.speakerAnalyser.fftSize = 1024;
    this.playback.connect(this.speakerAnalyser);
    this.speakerAnalyser.connect(this.ctx.destination);
  }

  // The microphone; throws (with the browser's error) when there is none.
  async openMic() {
    if (!window.isSecureContext || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      throw new Error("insecure");
    }
    const stream = await navigator.mediaDevices.getUserMedia({
      audio: {
        channelCount: 1,
        // The speaker must not reach the model as if the user were talking over it.
        echoCancellation: true,
        noiseSuppression: true,
        autoGainControl: true,
      },
    });
    if (this.closed) {
      for (const track of stream.getTracks()) track.stop();
      return;
    }
    this.stream = stream;
    const source = this.ctx.createMediaStreamSource(stream);
    const frameMs = Math.max(10, Math.min(200, Number(this.model.get("chunk_ms")) || 40));
    this.capture = new AudioWorkletNode(this.ctx, "gnb-capture", {
      numberOfInputs: 1,
      numberOfOutputs: 1,
      outputChannelCount: [1],
      processorOptions: { targetRate: INPUT_RATE, frameSamples: Math.round((INPUT_RATE * frameMs) / 1000) },
    });
    this.capture.port.onmessage = (event) => this.onFrame(event.data.pcm);
    this.micAnalyser = this.ctx.createAnalyser();
    this.micAnalyser.fftSize = 1024;
    source.connect(this.capture);
    source.connect(this.micAnalyser);
    // The capture node writes silence; connected so that the graph keeps pulling it.
    this.capture.connect(this.ctx.destination);
  }

  setMuted(muted) {
    if (!this.stream) return;
    for (const track of this.stream.getAudioTracks()) track.enabled = !muted;
  }

  play(buffer) {
    const view = asDataView(buffer);
    if (!this.playback || !view || view.byteLength < 2) return 0;
    const samples = pcm16ToFloat(view);
    const seconds = samples.length / OUTPUT_RATE; // read before the transfer empties it
    this.playback.port.postMessage({ type: "audio", samples }, [samples.buffer]);
    return seconds;
  }

  flush() {
    if (this.playback) this.playback.port.postMessage({ type: "flush" });
  }

  endTurn() {
    if (this.playback) this.playback.port.postMessage({ type: "end" });
  }

  levels(scratch) {
    return {
      mic: this.micAnalyser ? rms(this.micAnalyser, scratch) : 0,
      speaker: this.speakerAnalyser ? rms(this.speakerAnalyser, scratch) : 0,
    };
  }

  stopMic() {
    if (this.stream) for (const track of this.stream.getTracks()) track.stop();
    this.stream = null;
    if (this.capture) {
      this.capture.port.onmessage = null;
      this.capture.disconnect();
    }
    this.capture = null;
    this.micAnalyser = null;
  }

  close() {
    this.closed = true;
    this.stopMic();
    if (this.playback) this.playback.port.onmessage = null;
    if (this.ctx && this.ctx.state !== "closed") this.ctx.close().catch(() => {});
    if (this.url) URL.revokeObjectURL(this.url);
    this.ctx = this.playback = this.speakerAnalyser = this.url = null;
  }
}

function toolLine(entry) {
  const args = Object.entries(entry.args || {})
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(", ");
  return `${entry.name || "?"}(${args})`;
}

function entryNode(entry) {
  const role = ["user", "model", "tool", "note"].includes(entry.role) ? entry.role : "note";
  const node = el("div", `gnb-voice-entry gnb-voice-${role}`, { "data-state": entry.state || "" });
  if (role === "tool") {
    const call = el("code", "gnb-voice-call");
    call.textContent = toolLine(entry);
    const outcome = el("span", "gnb-voice-outcome");
    if (entry.state === "running") outcome.textContent = "running…";
    else if (entry.state === "done") outcome.textContent = `→ ${entry.result ?? ""}`;
    else if (entry.state === "error") outcome.textContent = `failed: ${entry.error || ""} (the model was told)`;
    else if (entry.state === "cancelled") outcome.textContent = "cancelled";
    const label = el("span", "gnb-voice-who");
    label.textContent = "tool";
    node.append(label, call, outcome);
    return node;
  }
  if (role === "note") {
    node.textContent = entry.text || "";
    return node;
  }
  const who = el("span", "gnb-voice-who");
  who.textContent = role === "user" ? (entry.typed ? "You (typed)" : "You") : "Gemini";
  const body = el("span", "gnb-voice-text");
  body.textContent = entry.text || "";
  node.append(who, body);
  if (entry.state === "interrupted") {
    const mark = el("span", "gnb-voice-mark");
    mark.textContent = "interrupted";
    node.append(mark);
  }
  return node;
}

function render({ model, el: root }) {
  root.classList.add("gnb-voice");
  const viewId = newViewId();

  const bar = el("div", "gnb-voice-bar");
  const dot = el("span", "gnb-voice-dot", { "aria-hidden": "true" });
  const status = el("span", "gnb-voice-status", { role: "status" });
  const modelName = el("span", "gnb-voice-model-name");
  const startButton = el("button", "gnb-voice-start", { type: "button" });
  startButton.textContent = "Start";
  const muteButton = el("button", "gnb-voice-mute", { type: "button", "aria-pressed": "false" });
  muteButton.textContent = "Mute";
  const endButton = el("button", "gnb-voice-end", { type: "button" });
  endButton.textContent = "End";
  const meters = el("div", "gnb-voice-meters");
  const meter = (label) => {
    const box = el("span", "gnb-voice-meter");
    const name = el("span", "gnb-voice-meter-label");
    name.textContent = label;
    const track = el("span", "gnb-voice-meter-track", {
      role: "meter",
      "aria-label": `${label} level`,
      "aria-valuemin": "0",
      "aria-valuemax": "100",
      "aria-valuenow": "0",
    });
    const fill = el("span", "gnb-voice-meter-fill");
    track.append(fill);
    box.append(name, track);
    meters.append(box);
    return { track, fill };
  };
  const micMeter = meter("Mic");
  const speakerMeter = meter("Speaker");
  const usageLine = el("span", "gnb-voice-usage");
  bar.append(dot, status, startButton, muteButton, endButton, meters);
  const info = el("div", "gnb-voice-info");
  info.append(modelName, usageLine);

  const notice = el("div", "gnb-voice-notice", { role: "note" });
  const errorLine = el("div", "gnb-voice-error", { role: "alert" });
  const list = el("div", "gnb-voice-list", { role: "log", "aria-live": "polite" });
  const form = el("div", "gnb-voice-form");
  const input = el("input", "gnb-voice-input", {
    type: "text",
    placeholder: "Or type a message (Enter sends)",
    "aria-label": "Message",
    "data-lm-suppress-shortcuts": "true",
  });
  const sendButton = el("button", "gnb-voice-send", { type: "button" });
  sendButton.textContent = "Send";
  form.append(input, sendButton);
  root.replaceChildren(bar, info, notice, errorLine, list, form);

  let audio = null; // this view's AudioPath while it owns the session
  let micState = "off"; // on | muted | off
  let localNotice = ""; // this view's own microphone problem
  let seq = 0;
  const stats = { sent: 0, received: 0, played: 0, queued: 0, flushed: 0, flushes: 0, underruns: 0, peak: 0 };
  const scratch = new Float32Array(1024);
  let timer = null;
  let alive = true;

  // This view asked for the session (its Start or Send): it owns the audio at once, before
  // the kernel's answer comes back, so that the first words are not lost.
  let claimed = false;
  const owner = () => claimed || model.get("active_view") === viewId;
  const live = () => claimed || ["connecting", "live"].includes(model.get("state"));

  function onFrame(pcm) {
    if (!alive || !live() || !owner() || model.get("muted")) return;
    model.send({ type: "audio", seq: seq++ }, undefined, [pcm]);
    stats.sent += pcm.byteLength / 2 / INPUT_RATE;
  }

  function onStats(data) {
    if (!data || data.type !== "stats") return;
    Object.assign(stats, {
      played: data.played,
      queued: data.queued,
      flushed: data.flushed,
      flushes: data.flushes,
      underruns: data.underruns,
    });
    root.classList.toggle("gnb-voice-speaking", Boolean(data.playing));
  }

  function tick() {
    const levels = audio ? audio.levels(scratch) : { mic: 0, speaker: 0 };
    stats.peak = Math.max(stats.peak, levels.speaker);
    for (const [m, level] of [[micMeter, levels.mic], [speakerMeter, levels.speaker]]) {
      const fraction = meterFraction(level);
      m.fill.style.width = `${(fraction * 100).toFixed(0)}%`;
      m.track.setAttribute("aria-valuenow", String(Math.round(fraction * 100)));
    }
    const d = root.dataset;
    d.audio = audio ? "on" : "off";
    d.mic = micState;
    d.sent = stats.sent.toFixed(3);
    d.received = stats.received.toFixed(3);
    d.played = stats.played.toFixed(3);
    d.queued = stats.queued.toFixed(3);
    d.flushed = stats.flushed.toFixed(3);
    d.flushes = String(stats.flushes);
    d.underruns = String(stats.underruns);
    d.micLevel = levels.mic.toFixed(4);
    d.speakerLevel = levels.speaker.toFixed(4);
    d.speakerPeak = stats.peak.toFixed(4);
  }

  function stopAudio() {
    if (audio) audio.close();
    audio = null;
    micState = "off";
    if (timer !== null) clearInterval(timer);
    timer = null;
    tick();
    renderStatus();
  }

  async function openAudio(withMic) {
    // Synchronously inside the click: the AudioContext is created (and may start) here.
    const path = new AudioPath(model, { onFrame, onStats });
    audio = path;
    localNotice = "";
    if (timer === null) timer = setInterval(tick, STATS_MS);
    try {
      await path.open();
    } catch (err) {
      if (audio === path) {
        localNotice = `No audio: the browser could not start Web Audio (${(err && err.message) || err}).`;
        path.close();
        audio = null;
        renderStatus();
      }
      return;
    }
    if (!withMic || audio !== path) return;
    try {
      await path.openMic();
      if (audio !== path) return;
      micState = model.get("muted") ? "muted" : "on";
      path.setMuted(Boolean(model.get("muted")));
      model.send({ type: "mic", view: viewId, ok: true });
    } catch (err) {
      localNotice = micProblem(err && err.message === "insecure" ? null : err);
      micState = "off";
      model.send({ type: "mic", view: viewId, ok: false, reason: localNotice });
    }
    renderStatus();
  }

  function begin(withMic) {
    if (live() && owner()) return Promise.resolve();
    claimed = true;
    stats.peak = 0;
    model.send({ type: "start", view: viewId });
    return openAudio(withMic);
  }

  function renderStatus() {
    const state = model.get("state") || "idle";
    const mine = owner();
    const running = state === "connecting" || state === "live";
    root.dataset.state = state;
    dot.dataset.state = state;
    let text = STATUS[state] || state;
    if (state === "live") {
      if (!mine) text += " · in another view";
      else if (micState === "on") text += " · listening";
      else if (micState === "muted") text += " · muted";
      else text += " · text only";
    }
    status.textContent = text;
    startButton.hidden = running;
    muteButton.hidden = endButton.hidden = !running;
    muteButton.disabled = !mine || !audio || micState === "off";
    const muted = Boolean(model.get("muted"));
    muteButton.textContent = muted ? "Unmute" : "Mute";
    muteButton.setAttribute("aria-pressed", String(muted));
    endButton.disabled = state === "connecting" && !mine;
    sendButton.disabled = !input.value.trim() || (running && !mine);
    const message = (mine || !running ? localNotice : "") || model.get("notice") || "";
    notice.textContent = message;
    notice.hidden = !message;
    const error = model.get("error") || "";
    errorLine.textContent = error;
    errorLine.hidden = !error;
    modelName.textContent = model.get("model") || "";
    const usage = model.get("usage") || {};
    usageLine.textContent = usage.total ? `· ${usage.total} tokens` : "";
  }

  const nearBottom = () => list.scrollHeight - list.scrollTop - list.clientHeight < STICKY_PX;

  function renderTranscript() {
    const stick = nearBottom();
    list.replaceChildren(...(model.get("transcript") || []).map(entryNode));
    if (stick) list.scrollTop = list.scrollHeight;
  }

  function onState() {
    // The session ended, or another view started one: this view lets the audio go. (Not on
    // "idle": a Start's own messages may come back in either order.)
    const state = model.get("state");
    const view = model.get("active_view");
    if (state === "connecting" || state === "live" || (view && view !== viewId)) claimed = false;
    // While this view's Start is on its way, "ended" is the last session's state, not this one's.
    const over = !claimed && (state === "ended" || state === "error");
    if (audio && (over || (view && !owner()))) stopAudio();
    renderStatus();
  }

  function onMuted() {
    const muted = Boolean(model.get("muted"));
    if (audio && micState !== "off") {
      audio.setMuted(muted);
      micState = muted ? "muted" : "on";
    }
    renderStatus();
  }

  function onCustom(msg, buffers) {
    if (!msg || typeof msg !== "object") return;
    if (msg.type === "line") {
      const node = list.children[msg.index];
      const body = node && node.querySelector(".gnb-voice-text");
      if (body) {
        const stick = nearBottom();
        body.textContent = msg.text;
        if (stick) list.scrollTop = list.scrollHeight;
      }
      return;
    }
    if (!audio || !owner()) return;
    if (msg.type === "audio" && buffers && buffers.length) {
      stats.received += audio.play(buffers[0]);
    } else if (msg.type === "interrupted") {
      audio.flush();
    } else if (msg.type === "turn_complete") {
      audio.endTurn();
    }
  }

  function submit() {
    const text = input.value;
    if (!text.trim()) return;
    const state = model.get("state");
    if (!(state === "connecting" || state === "live")) begin(false); // a text-only session
    model.send({ type: "text", text });
    input.value = "";
    renderStatus();
  }

  const onStart = () => {
    begin(true);
    renderStatus();
  };
  const onMute = () => {
    model.set("muted", !model.get("muted"));
    model.save_changes();
  };
  const onEnd = () => {
    model.send({ type: "end" });
    if (audio) stopAudio();
  };
  const onKeydown = (event) => {
    if (event.key === "Enter" && !event.isComposing) {
      event.preventDefault();
      submit();
    }
  };
  startButton.addEventListener("click", onStart);
  muteButton.addEventListener("click", onMute);
  endButton.addEventListener("click", onEnd);
  sendButton.addEventListener("click", submit);
  input.addEventListener("keydown", onKeydown);
  input.addEventListener("input", renderStatus);
  model.on("change:state", onState);
  model.on("change:active_view", onState);
  model.on("change:muted", onMuted);
  model.on("change:transcript", renderTranscript);
  model.on("change:error", renderStatus);
  model.on("change:notice", renderStatus);
  model.on("change:usage", renderStatus);
  model.on("change:model", renderStatus);
  model.on("msg:custom", onCustom);

  renderTranscript();
  renderStatus();
  tick();

  return () => {
    alive = false;
    stopAudio();
    model.off("change:state", onState);
    model.off("change:active_view", onState);
    model.off("change:muted", onMuted);
    model.off("change:transcript", renderTranscript);
    model.off("change:error", renderStatus);
    model.off("change:notice", renderStatus);
    model.off("change:usage", renderStatus);
    model.off("change:model", renderStatus);
    model.off("msg:custom", onCustom);
  };
}

export default { render };
