/**
 * The demo's heads-up display: three strip charts (lip aperture vs speech envelope, PLRS, A/V offset) and
 * a few lines of live numbers (state, backend, latency, inference time, worker restarts).
 */
import type { ITelemetrySample, LipSyncState } from '../../src/index.ts';
import { StripChart } from './stripChart.ts';

// lips-v1 indices of iBUG 62 (upper inner mid) and 66 (lower inner mid).
const UPPER_INNER = 15;
const LOWER_INNER = 19;

const fmt = (v: number | null | undefined, digits = 0, unit = ''): string =>
  v === null || v === undefined ? '–' : `${v.toFixed(digits)}${unit}`;

/** Strip charts and stats of the demo; feed it events, call `tick()` once per rendered frame. */
export class DemoHud {
  private readonly _aperture: StripChart;
  private readonly _plrs: StripChart;
  private readonly _offset: StripChart;
  private _state: LipSyncState = 'idle';
  private _last: ITelemetrySample | null = null;
  private _apertureMm: number | null = null;
  private _envelopeDb = -90;
  private readonly _samples = new Float32Array(1024);

  /**
   * @param _analyser defines the tap on the speech the avatar hears (for the envelope)
   * @param _stats defines the element that shows the live numbers
   */
  constructor(
    private readonly _analyser: AnalyserNode,
    private readonly _stats: HTMLElement,
  ) {
    const canvas = (id: string): HTMLCanvasElement => document.getElementById(id) as HTMLCanvasElement;
    this._aperture = new StripChart(canvas('chartAperture'), 'lips vs speech', [
      { label: 'aperture', color: '#ff9e80', min: 0, max: 20 },
      { label: 'envelope', color: '#80d8ff', min: -60, max: 0 },
    ]);
    this._plrs = new StripChart(canvas('chartPlrs'), 'PLRS (lip readability)', [
      { label: 'PLRS', color: '#b9f6ca', min: -0.2, max: 1 },
    ]);
    this._offset = new StripChart(
      canvas('chartOffset'),
      'A/V offset, ms (+ = lips late)',
      [{ label: 'offset', color: '#ffd180', min: -250, max: 250 }],
      [-45, 0, 45],
    );
  }

  /** The behavior's state, shown in the stats. */
  setState(state: LipSyncState): void {
    this._state = state;
  }

  /** A frame shown on the avatar: inner-lip aperture in mm. */
  frame(points: Float32Array): void {
    const d = (k: number): number => points[UPPER_INNER * 3 + k] - points[LOWER_INNER * 3 + k];
    this._apertureMm = 1000 * Math.hypot(d(0), d(1), d(2));
  }

  /** A telemetry sample: plotted (PLRS, A/V offset) and kept for the stats. */
  telemetry(sample: ITelemetrySample): void {
    this._last = sample;
    const t = performance.now() / 1000;
    this._plrs.push(0, t, sample.plrs);
    this._offset.push(0, t, sample.avOffsetMs);
  }

  /**
   * Samples the speech envelope and redraws; call once per rendered frame.
   * @param fps defines the render rate: telemetry measures the lips as rendered, so a slow renderer
   * (software GL) lowers PLRS and blurs the offset, and the HUD says so
   */
  tick(fps: number): void {
    const t = performance.now() / 1000;
    this._analyser.getFloatTimeDomainData(this._samples);
    let sum = 0;
    for (const s of this._samples) sum += s * s;
    this._envelopeDb = Math.max(-90, 10 * Math.log10(sum / this._samples.length + 1e-12));
    const running = this._state === 'running';
    this._aperture.push(0, t, running ? this._apertureMm : null);
    this._aperture.push(1, t, this._envelopeDb);
    this._aperture.draw(t, `${fmt(this._apertureMm, 1)} mm · ${fmt(this._envelopeDb)} dBFS`);
    const s = this._last;
    this._plrs.draw(t, fmt(s?.plrs, 2));
    this._offset.draw(
      t,
      `${fmt(s?.avOffsetMs, 0, ' ms')}${s?.avOffsetWarning ? ' ⚠' : ''} · conf ${fmt(s?.avOffsetConfidence, 2)}`,
    );
    const gen = s?.inference['generator'];
    this._stats.textContent = [
      `state     ${this._state}   render ${fmt(fps, 0, ' fps')}`,
      `backend   ${s?.backend ?? '–'}  (wasm threads ${s?.wasmThreads ?? '–'})`,
      `latency   ${fmt(s?.latencyMs, 0, ' ms')}   generator p50 ${fmt(gen?.p50Ms, 1, ' ms')}`,
      `SLCC      ${fmt(s?.slcc, 2)}   dropped ${s?.droppedChunks ?? 0}   queue ${s?.queueDepth ?? 0}`,
      `worker    restarts ${s?.workerRestarts ?? 0}   last gap ${fmt(s?.workerGapMs, 0, ' ms')}`,
    ].join('\n');
  }
}
