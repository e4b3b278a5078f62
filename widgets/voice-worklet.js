// gemini-nb voice widget: the two AudioWorklet processors (loaded by voice.js with
// audioWorklet.addModule, from a Blob URL of this file's text).
//
// gnb-capture: the microphone, downmixed to mono and resampled from the context's rate to
//   16 kHz (a windowed-sinc low-pass, so nothing above 8 kHz folds back into the speech band),
//   posted to the page as PCM16 frames of `frameSamples` samples: {pcm: ArrayBuffer}.
// gnb-playback: the model's 24 kHz speech, resampled to the context's rate and played from a
//   queue. Playback starts once `prebufferMs` are queued (the network's jitter), and plays the
//   queue back to back; running dry before the turn's end counts as an underrun (a gap) and
//   waits for the prebuffer again, which grows by 40 ms (up to 400 ms) after each gap.
//   Messages in: {type: "audio", samples: Float32Array (24 kHz)}, {type: "flush"} (drop
//   everything queued: the user talked over the model), {type: "end"} (the turn is complete:
//   play what is queued even if it is short). It posts {type: "stats", played, queued,
//   underruns, flushed, flushes, playing} (seconds, counts) every `statsMs` and on every
//   flush: what was played is counted sample by sample here, where the audio leaves for the
//   speakers, not assumed from what arrived.

const ZERO_CROSSINGS = 8; // half-width of the interpolation kernel, in output samples
const PHASES = 128; // kernel tables per input sample step

// A streaming band-limited resampler (windowed sinc at PHASES fractional positions).
class Resampler {
  constructor(inRate, outRate) {
    this.step = inRate / outRate; // input samples per output sample
    const scale = Math.min(1, outRate / inRate); // cut-off, relative to the input's Nyquist
    const cutoff = 0.92 * scale;
    this.half = Math.ceil(ZERO_CROSSINGS / scale);
    const width = 2 * this.half;
    this.tables = [];
    for (let p = 0; p < PHASES; p++) {
      const frac = p / PHASES;
      const row = new Float32Array(width);
      let sum = 0;
      for (let j = 0; j < width; j++) {
        const x = j - this.half + 1 - frac; // distance from the output position, in inputs
        const arg = Math.PI * cutoff * x;
        const sinc = x === 0 ? 1 : Math.sin(arg) / arg;
        const w = 0.5 + 0.5 * Math.cos((Math.PI * x) / (this.half + 1)); // Hann window
        row[j] = sinc * w;
        sum += row[j];
      }
      for (let j = 0; j < width; j++) row[j] /= sum; // unity gain at DC
      this.tables.push(row);
    }
    this.reset();
  }

  reset() {
    // Inputs kept from `start` (absolute index); the next output sits at input position `pos`.
    // Starting `half - 1` zeros back centres the first output on the first input.
    this.buffer = new Float32Array(4096);
    this.length = this.half - 1;
    this.pos = this.half - 1;
  }

  // Resampled output for `input` (a Float32Array), as a new Float32Array.
  push(input) {
    if (this.length + input.length > this.buffer.length) {
      const grown = new Float32Array(Math.max(this.buffer.length * 2, this.length + input.length));
      grown.set(this.buffer.subarray(0, this.length));
      this.buffer = grown;
    }
    this.buffer.set(input, this.length);
    this.length += input.length;
    const width = 2 * this.half;
    const out = new Float32Array(Math.max(0, Math.ceil((this.length - this.half - this.pos) / this.step) + 1));
    let n = 0;
    while (true) {
      const base = Math.floor(this.pos);
      const first = base - this.half + 1;
      if (first + width > this.length || n >= out.length) break;
      const row = this.tables[Math.min(PHASES - 1, Math.floor((this.pos - base) * PHASES))];
      let acc = 0;
      for (let j = 0; j < width; j++) acc += this.buffer[first + j] * row[j];
      out[n++] = acc;
      this.pos += this.step;
    }
    // Drop the inputs no later output needs.
    const keep = Math.floor(this.pos) - this.half + 1;
    if (keep > 0) {
      this.buffer.copyWithin(0, keep, this.length);
      this.length -= keep;
      this.pos -= keep;
    }
    return out.subarray(0, n);
  }
}

class CaptureProcessor extends AudioWorkletProcessor {
  constructor(options) {
    super();
    const opts = (options && options.processorOptions) || {};
    this.frameSamples = opts.frameSamples || 640;
    this.resampler = new Resampler(sampleRate, opts.targetRate || 16000);
    this.frame = new Int16Array(this.frameSamples);
    this.filled = 0;
  }

  process(inputs) {
    const input = inputs[0];
    if (!input || input.length === 0 || input[0].length === 0) return true;
    let mono = input[0];
    if (input.length > 1) {
      mono = new Float32Array(input[0].length);
      for (const channel of input) for (let i = 0; i < mono.length; i++) mono[i] += channel[i] / input.length;
    }
    const out = this.resampler.push(mono);
    for (let i = 0; i < out.length; i++) {
      const s = Math.max(-1, Math.min(1, out[i]));
      this.frame[this.filled++] = s < 0 ? s * 0x8000 : s * 0x7fff;
      if (this.filled === this.frameSamples) {
        const pcm = this.frame.buffer;
        this.port.postMessage({ pcm }, [pcm]);
        this.frame = new Int16Array(this.frameSamples);
        this.filled = 0;
      }
    }
    return true;
  }
}

class PlaybackProcessor extends AudioWorkletProcessor {
  constructor(options) {
    super();
    const opts = (options && options.processorOptions) || {};
    this.sourceRate = opts.sourceRate || 24000;
    this.prebuffer = Math.round(((opts.prebufferMs ?? 120) / 1000) * sampleRate);
    this.prebufferStep = Math.round(0.04 * sampleRate);
    this.maxPrebuffer = Math.max(this.prebuffer, Math.round(0.4 * sampleRate));
    this.statsEvery = Math.max(1, Math.round(((opts.statsMs || 50) / 1000) * sampleRate / 128));
    this.resampler = new Resampler(this.sourceRate, sampleRate);
    this.queue = []; // Float32Arrays at the context's rate
    this.head = 0; // read offset into queue[0]
    this.queued = 0; // samples queued
    this.playing = false;
    this.turnEnded = false;
    this.played = 0; // samples sent to the output, ever
    this.flushed = 0; // samples dropped by flushes, ever
    this.flushes = 0;
    this.underruns = 0;
    this.blocks = 0;
    this.port.onmessage = (event) => this.onMessage(event.data);
  }

  onMessage(msg) {
    if (msg.type === "audio") {
      const samples = this.resampler.push(msg.samples);
      if (samples.length) {
        this.queue.push(samples);
        this.queued += samples.length;
      }
      this.turnEnded = false;
    } else if (msg.type === "flush") {
      this.flushed += this.queued;
      if (this.queued > 0) this.flushes += 1;
      this.queue = [];
      this.head = 0;
      this.queued = 0;
      this.playing = false;
      this.resampler.reset();
      this.report();
    } else if (msg.type === "end") {
      this.turnEnded = true;
    }
  }

  report() {
    this.port.postMessage({
      type: "stats",
      played: this.played / sampleRate,
      queued: this.queued / sampleRate,
      flushed: this.flushed / sampleRate,
      flushes: this.flushes,
      underruns: this.underruns,
      playing: this.playing,
    });
  }

  process(inputs, outputs) {
    const out = outputs[0][0];
    if (!this.playing && this.queued > 0 && (this.queued >= this.prebuffer || this.turnEnded)) {
      this.playing = true;
    }
    let n = 0;
    if (this.playing) {
      while (n < out.length && this.queue.length) {
        const chunk = this.queue[0];
        const take = Math.min(out.length - n, chunk.length - this.head);
        out.set(chunk.subarray(this.head, this.head + take), n);
        n += take;
        this.head += take;
        if (this.head === chunk.length) {
          this.queue.shift();
          this.head = 0;
        }
      }
      this.played += n;
      this.queued -= n;
      if (n < out.length) {
        // Ran dry: the end of the turn, or a gap (the next audio is late) after which the
        // prebuffer fills again before playing on.
        this.playing = false;
        if (!this.turnEnded) {
          this.underruns += 1;
          // The network is jitterier than the prebuffer allowed for: wait a little longer.
          this.prebuffer = Math.min(this.maxPrebuffer, this.prebuffer + this.prebufferStep);
        }
      }
    }
    out.fill(0, n);
    for (let c = 1; c < outputs[0].length; c++) outputs[0][c].set(out);
    if (++this.blocks % this.statsEvery === 0) this.report();
    return true;
  }
}

registerProcessor("gnb-capture", CaptureProcessor);
registerProcessor("gnb-playback", PlaybackProcessor);
