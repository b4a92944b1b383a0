// Records what a node outputs, sample by sample, on the context's frame clock: a second AudioWorklet tap
// (inline module, so the test needs no file of its own) posting every render quantum with its frame
// index. Tests look for gaps (runs of zeros) and clicks (jumps) in what was really played.

const PROCESSOR = 'test-output-recorder';
const MODULE = `
class OutputRecorder extends AudioWorkletProcessor {
  constructor() {
    super();
    this.on = true;
    this.port.onmessage = () => { this.on = false; this.port.postMessage({ done: true }); };
  }
  process(inputs) {
    if (!this.on) return false;
    const ch = inputs[0][0];
    // An unconnected or silent input may have no channel: record zeros for the quantum.
    const data = ch ? ch.slice() : new Float32Array(128);
    this.port.postMessage({ frame: currentFrame, data }, [data.buffer]);
    return true;
  }
}
registerProcessor('${PROCESSOR}', OutputRecorder);
`;
const loaded = new WeakMap<BaseAudioContext, Promise<void>>();

/** A running recording of one node's output (channel 0). */
export interface IOutputRecording {
  /** Stops recording; resolves with the samples and the context frame of the first one. */
  stopAsync(): Promise<{ firstFrame: number; samples: Float32Array }>;
}

/**
 * Starts recording `node`'s output (its first channel) in its context.
 * @param node defines the node to record (connected to the recorder, in addition to its other outputs)
 */
export async function recordOutputAsync(node: AudioNode): Promise<IOutputRecording> {
  const ctx = node.context;
  let ready = loaded.get(ctx);
  if (!ready) {
    const url = URL.createObjectURL(new Blob([MODULE], { type: 'text/javascript' }));
    ready = ctx.audioWorklet.addModule(url);
    loaded.set(ctx, ready);
  }
  await ready;
  const rec = new AudioWorkletNode(ctx, PROCESSOR, {
    numberOfInputs: 1,
    numberOfOutputs: 1,
    channelCount: 1,
    channelCountMode: 'explicit',
  });
  const quanta: { frame: number; data: Float32Array }[] = [];
  let done: () => void = () => undefined;
  const finished = new Promise<void>((r) => (done = r));
  rec.port.onmessage = (e: MessageEvent<{ frame: number; data: Float32Array } | { done: true }>) => {
    if ('done' in e.data) done();
    else quanta.push(e.data);
  };
  node.connect(rec);
  rec.connect(ctx.destination); // keeps the graph pulling the recorder (its output is silence)
  return {
    async stopAsync() {
      rec.port.postMessage('stop');
      await finished;
      node.disconnect(rec);
      rec.disconnect();
      rec.port.close();
      if (quanta.length === 0) return { firstFrame: 0, samples: new Float32Array(0) };
      // process() runs once per quantum, in order, but Chromium's worklet `currentFrame` is sometimes
      // stale (measured: the same frame for five quanta in a row, 0 on the first call): count quanta, and
      // anchor the count on the frame reports, which are never ahead of the truth.
      let first = -Infinity;
      quanta.forEach((q, k) => (first = Math.max(first, q.frame - 128 * k)));
      const samples = new Float32Array(quanta.length * 128);
      quanta.forEach((q, k) => samples.set(q.data, 128 * k));
      return { firstFrame: first, samples };
    },
  };
}

/** The longest run of samples with |x| < `eps` between `from` and `to` (indices), and where it starts. */
export function longestQuietRun(
  x: Float32Array,
  from: number,
  to: number,
  eps = 1e-4,
): { length: number; at: number } {
  let best = { length: 0, at: -1 };
  let run = 0;
  for (let i = from; i < to; i++) {
    if (Math.abs(x[i]) < eps) {
      run++;
      if (run > best.length) best = { length: run, at: i - run + 1 };
    } else run = 0;
  }
  return best;
}

/** The largest sample-to-sample jump between `from` and `to`, and where it is. */
export function largestJump(x: Float32Array, from: number, to: number): { size: number; at: number } {
  let best = { size: 0, at: -1 };
  for (let i = Math.max(1, from); i < to; i++) {
    const d = Math.abs(x[i] - x[i - 1]);
    if (d > best.size) best = { size: d, at: i };
  }
  return best;
}
