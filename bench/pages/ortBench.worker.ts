/**
 * @file Model micro-benchmark worker: loads each model of a manifest (generator, metric encoders) with
 * one provider and thread count, and times runs at the shapes the streaming worker uses. Posts one
 * result object. A fresh worker per setting, since ORT reads its wasm settings once per realm.
 */
import { FEATURES_V1 } from '../../src/features/featureSpec.ts';
import { validateModelManifest } from '../../src/models/modelManifest.ts';
import {
  configureOnnxRuntime,
  createModelSessionAsync,
  onnxWasmThreads,
  type ExecutionProvider,
  type IFloatTensor,
  type IModelSession,
} from '../../src/models/onnxBackend.ts';
import { summarize } from '../lib/percentiles.ts';

interface Request {
  manifestUrl: string;
  wasmPaths: string;
  provider: ExecutionProvider;
  numThreads: number;
  reps: number;
}

/** `dims`' volume of a smooth test signal around speech log-mel levels. */
function testInput(dims: readonly number[]): { data: Float32Array; dims: readonly number[] } {
  const data = new Float32Array(dims.reduce((a, b) => a * b, 1));
  for (let i = 0; i < data.length; i++) data[i] = Math.sin(i * 0.37) * 2 - 4;
  return { data, dims };
}

async function timeRuns(
  session: IModelSession,
  name: string,
  dims: number[],
  reps: number,
  extra: Record<string, IFloatTensor> = {},
) {
  const feeds = { [name]: testInput(dims), ...extra };
  await session.runAsync(feeds); // warm-up (shader compile, allocation)
  const ms: number[] = [];
  const t0 = performance.now();
  while (ms.length < reps && performance.now() - t0 < 15000) {
    const t = performance.now();
    await session.runAsync(feeds);
    ms.push(performance.now() - t);
  }
  return summarize(ms);
}

self.onmessage = async (e: MessageEvent<Request>) => {
  const r = e.data;
  try {
    configureOnnxRuntime({ wasmPaths: r.wasmPaths, numThreads: r.numThreads });
    const m = validateModelManifest(await (await fetch(r.manifestUrl)).json());
    const load = async (file: string) =>
      createModelSessionAsync(
        new Uint8Array(await (await fetch(new URL(file, r.manifestUrl))).arrayBuffer()),
        [r.provider],
        file,
      );
    const g = m.generator;
    const M = FEATURES_V1.melBands;
    const out: Record<string, unknown> = { provider: r.provider, wasmThreads: onnxWasmThreads() };
    const gen = await load(g.file);
    // One streaming step (k mel frames = k × 10 ms of audio): a stateful graph runs the k new frames with
    // its carried state; a fixed-window graph re-reads its context and look-ahead as well.
    const k = g.melFramesPerOutputFrame;
    const stepDims = g.state ? [1, k, M] : [1, g.contextFrames + k + g.lookaheadFrames, M];
    const state: Record<string, IFloatTensor> = {};
    g.state?.inputs.forEach((name, i) => (state[name] = testInput(g.state!.shapes[i])));
    const step = await timeRuns(gen, g.inputName, stepDims, r.reps, state);
    out.generator = {
      stateful: g.state !== undefined,
      stepDims,
      run: step,
      msPer10msAudio: step.p50 === null ? null : step.p50 / k,
    };
    await gen.releaseAsync();
    const enc = m.metricEncoders;
    if (enc) {
      const speech = await load(enc.speechFile);
      const mesh = await load(enc.meshFile);
      // Telemetry encodes one speech window per 10 ms shift and one mesh window per lips frame.
      const s1 = await timeRuns(speech, enc.speechInputName, [1, enc.speechWindowFrames, M], r.reps);
      const s32 = await timeRuns(
        speech,
        enc.speechInputName,
        [32, enc.speechWindowFrames, M],
        Math.ceil(r.reps / 4),
      );
      const m1 = await timeRuns(mesh, enc.meshInputName, [1, enc.meshWindowFrames, 63], r.reps);
      const m32 = await timeRuns(
        mesh,
        enc.meshInputName,
        [32, enc.meshWindowFrames, 63],
        Math.ceil(r.reps / 4),
      );
      out.speechEncoder = {
        batch1: s1,
        batch32: s32,
        msPer10msAudio: s32.p50 === null ? null : s32.p50 / 32,
      };
      out.meshEncoder = {
        batch1: m1,
        batch32: m32,
        msPer10msAudio: m32.p50 === null ? null : m32.p50 / 32 / k,
      };
      await speech.releaseAsync();
      await mesh.releaseAsync();
    }
    self.postMessage(out);
  } catch (err) {
    self.postMessage({ provider: r.provider, error: (err as Error).message });
  }
};
