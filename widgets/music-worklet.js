// gemini-nb music widget: the AudioWorklet processor that plays live music (loaded by
// music.js with audioWorklet.addModule, from a Blob URL of this file's text).
//
// gnb-music-player: stereo audio from the kernel (Float32 left and right channels at
//   `sourceRate`, 48 kHz), played from a queue, back to back. Playback starts once
//   `prebufferMs` are queued (the network's and the kernel's jitter) and plays the queue
//   without gaps; running dry counts as an underrun and waits for the prebuffer again, which
//   grows by a quarter second (up to four seconds) after each one. When the context runs at
//   another rate the audio is resampled linearly.
//   Messages in: {type: "audio", left, right} (Float32Arrays), {type: "hold", on} (pause:
//   keep the queue, play silence), {type: "flush"} (drop the queue: stop).
//   It posts {type: "stats", played, queued, underruns, playing, held, env, peaks} every
//   `statsMs`: played and queued in seconds (counted sample by sample here, where the audio
//   leaves for the speakers), and the envelope of what was played since the last report, one
//   value per 10 ms: `env` the mean of |(left + right) / 2|, `peaks` the largest |sample|.

class MusicPlayer extends AudioWorkletProcessor {
  constructor(options) {
    super();
    const opts = (options && options.processorOptions) || {};
    this.sourceRate = opts.sourceRate || 48000;
    this.step = this.sourceRate / sampleRate; // source samples per output sample
    this.prebuffer = Math.round(((opts.prebufferMs ?? 1000) / 1000) * sampleRate);
    this.prebufferStep = Math.round(0.25 * sampleRate);
    this.maxPrebuffer = Math.max(this.prebuffer, Math.round(4 * sampleRate));
    this.statsEvery = Math.max(1, Math.round((((opts.statsMs || 50) / 1000) * sampleRate) / 128));
    this.queue = []; // [left, right] Float32Array pairs at the context's rate
    this.head = 0; // read offset into queue[0]
    this.queued = 0; // samples queued, per channel
    this.playing = false;
    this.held = false;
    this.played = 0;
    this.underruns = 0;
    this.blocks = 0;
    // Resampling state (only when the context does not run at the source rate).
    this.pos = 0;
    this.lastL = 0;
    this.lastR = 0;
    // The envelope: 10 ms windows of what was played.
    this.window = Math.max(1, Math.round(sampleRate / 100));
    this.winSum = 0;
    this.winPeak = 0;
    this.winCount = 0;
    this.env = [];
    this.peaks = [];
    this.port.onmessage = (event) => this.onMessage(event.data);
  }

  onMessage(msg) {
    if (msg.type === "audio") {
      const [left, right] = this.resample(msg.left, msg.right);
      if (left.length) {
        this.queue.push([left, right]);
        this.queued += left.length;
      }
    } else if (msg.type === "hold") {
      this.held = Boolean(msg.on);
    } else if (msg.type === "flush") {
      this.queue = [];
      this.head = 0;
      this.queued = 0;
      this.playing = false;
      this.pos = 0;
      this.report();
    }
  }

  resample(left, right) {
    if (this.step === 1) return [left, right];
    // Linear interpolation across chunk boundaries: output i sits at source position `pos`,
    // counted from the previous chunk's last sample (index -1).
    const n = Math.max(0, Math.floor((left.length - 1 - this.pos) / this.step) + 1);
    const outL = new Float32Array(n);
    const outR = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const x = this.pos + i * this.step;
      const k = Math.floor(x);
      const f = x - k;
      const l0 = k < 0 ? this.lastL : left[k];
      const r0 = k < 0 ? this.lastR : right[k];
      const l1 = left[Math.min(left.length - 1, k + 1)];
      const r1 = right[Math.min(right.length - 1, k + 1)];
      outL[i] = l0 + (l1 - l0) * f;
      outR[i] = r0 + (r1 - r0) * f;
    }
    this.pos = this.pos + n * this.step - left.length;
    this.lastL = left[left.length - 1];
    this.lastR = right[right.length - 1];
    return [outL, outR];
  }

  report() {
    this.port.postMessage({
      type: "stats",
      played: this.played / sampleRate,
      queued: this.queued / sampleRate,
      underruns: this.underruns,
      playing: this.playing && !this.held,
      held: this.held,
      env: Float32Array.from(this.env),
      peaks: Float32Array.from(this.peaks),
    });
    this.env = [];
    this.peaks = [];
  }

  measure(outL, outR, n) {
    for (let i = 0; i < outL.length; i++) {
      const l = i < n ? outL[i] : 0;
      const r = i < n ? outR[i] : 0;
      const mono = Math.abs((l + r) / 2);
      this.winSum += mono;
      this.winPeak = Math.max(this.winPeak, Math.abs(l), Math.abs(r));
      if (++this.winCount === this.window) {
        this.env.push(this.winSum / this.window);
        this.peaks.push(this.winPeak);
        this.winSum = 0;
        this.winPeak = 0;
        this.winCount = 0;
      }
    }
  }

  process(inputs, outputs) {
    const out = outputs[0];
    const outL = out[0];
    const outR = out.length > 1 ? out[1] : out[0];
    if (!this.playing && !this.held && this.queued > 0 && this.queued >= this.prebuffer) {
      this.playing = true;
    }
    let n = 0;
    if (this.playing && !this.held) {
      while (n < outL.length && this.queue.length) {
        const [left, right] = this.queue[0];
        const take = Math.min(outL.length - n, left.length - this.head);
        outL.set(left.subarray(this.head, this.head + take), n);
        if (outR !== outL) outR.set(right.subarray(this.head, this.head + take), n);
        n += take;
        this.head += take;
        if (this.head === left.length) {
          this.queue.shift();
          this.head = 0;
        }
      }
      this.played += n;
      this.queued -= n;
      if (n < outL.length) {
        // Ran dry: the next chunk is late. Wait for the prebuffer again, a little longer.
        this.playing = false;
        this.underruns += 1;
        this.prebuffer = Math.min(this.maxPrebuffer, this.prebuffer + this.prebufferStep);
      }
    }
    outL.fill(0, n);
    if (outR !== outL) outR.fill(0, n);
    // Only what was really played enters the envelope (silence while held or buffering too,
    // so the waveform scrolls on in real time).
    this.measure(outL, outR, n);
    if (++this.blocks % this.statsEvery === 0) this.report();
    return true;
  }
}

registerProcessor("gnb-music-player", MusicPlayer);
