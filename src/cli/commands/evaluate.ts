/**
 * `perceptual-lipsync evaluate`: the paper's metrics for one predicted clip against its ground truth.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { FEATURES_V1 } from '../../features/featureSpec.ts';
import { resampleTo16k } from '../../features/resampleTo16k.ts';
import { rms } from '../../features/rms.ts';
import { pearson } from '../../math/pearson.ts';
import { FLAME_MOUTH_VERTICES_254 } from '../../metrics/flameRegions.ts';
import { lipIntensity } from '../../metrics/lipIntensity.ts';
import type { LipLayout } from '../../metrics/lipLayout.ts';
import { lipVertexError } from '../../metrics/lipVertexError.ts';
import { meanTemporalMisalignment } from '../../metrics/meanTemporalMisalignment.ts';
import { speechIntensity } from '../../metrics/speechIntensity.ts';
import { speechLipFrameCorrelation } from '../../metrics/speechLipFrameCorrelation.ts';
import { upperFaceDynamicsDeviation } from '../../metrics/upperFaceDynamicsDeviation.ts';
import type { VertexSequence } from '../../metrics/vertexSequence.ts';
import type { ICliCommand, ICliIo } from '../cliCommand.ts';
import { CliError } from '../cliError.ts';
import { readTrack, type Track } from '../readTrack.ts';
import { readWav } from '../readWav.ts';
import { renderMtmSvg } from '../renderMtmSvg.ts';
import { signalOf } from './mtm.ts';
import { parseCommandArgs, positiveNumber } from './parseOptions.ts';

const usage = `Usage: perceptual-lipsync evaluate --pred p.(npy|json) --gt g.(npy|json) [--audio a.wav] [--fps 50]
         [--layout lips-v1|flame] [--gt-stride 1] [--template t.(npy|json)] [--upper-vertices v.json]
         [--out metrics.json] [--plot curves.svg]
  Prints MTM (frames, ms), LVE, FDD (flame), lip-aperture r and, with --audio, speech–lip coupling.`;

/** One line of the metrics table. */
interface IRow {
  key: string;
  label: string;
  value: number | null;
  unit: string;
  better: string;
}

function sequenceOf(track: Track): VertexSequence | null {
  return track.kind === 'sequence' ? track.sequence : null;
}

function strideSequence(seq: VertexSequence, stride: number): VertexSequence {
  if (stride === 1) return seq;
  const perFrame = seq.points * 3;
  const frames = Math.ceil(seq.frames / stride);
  const data = new Float64Array(frames * perFrame);
  for (let t = 0; t < frames; t++)
    data.set(seq.data.subarray(t * stride * perFrame, (t * stride + 1) * perFrame), t * perFrame);
  return { data, frames, points: seq.points };
}

function readIndexList(path: string, points: number): number[] {
  let list: unknown;
  try {
    list = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new CliError(`${path}: expected a JSON array of vertex indices (${(e as Error).message}).`);
  }
  if (
    !Array.isArray(list) ||
    list.length === 0 ||
    !list.every((i) => Number.isInteger(i) && i >= 0 && i < points)
  ) {
    throw new CliError(`${path}: expected a non-empty JSON array of integer indices in 0…${points - 1}.`);
  }
  return list as number[];
}

function format(v: number | null): string {
  if (v === null) return 'n/a';
  if (Number.isInteger(v)) return String(v);
  if (v !== 0 && (Math.abs(v) < 1e-3 || Math.abs(v) >= 1e5)) return v.toExponential(4);
  return v.toFixed(4);
}

/** The `evaluate` subcommand. */
export const evaluateCommand: ICliCommand = {
  name: 'evaluate',
  summary: 'MTM, LVE, FDD, lip-aperture r and speech–lip coupling for one clip; JSON and SVG output',
  usage,
  async runAsync(args: readonly string[], io: ICliIo): Promise<number> {
    const values = parseCommandArgs(
      'evaluate',
      args,
      {
        pred: { type: 'string' },
        gt: { type: 'string' },
        audio: { type: 'string' },
        fps: { type: 'string' },
        layout: { type: 'string' },
        'gt-stride': { type: 'string' },
        template: { type: 'string' },
        'upper-vertices': { type: 'string' },
        out: { type: 'string' },
        plot: { type: 'string' },
      },
      ['pred', 'gt'],
    );
    if (values.layout !== undefined && values.layout !== 'lips-v1' && values.layout !== 'flame') {
      throw new CliError(`evaluate: --layout must be lips-v1 or flame, got '${values.layout}'.`);
    }
    const stride = values['gt-stride'] === undefined ? 1 : positiveNumber(values['gt-stride'], '--gt-stride');
    if (!Number.isInteger(stride))
      throw new CliError(`--gt-stride: expected an integer, got '${values['gt-stride']}'.`);
    const predTrack = readTrack(values.pred);
    const gtTrack = readTrack(values.gt);
    const layout: LipLayout | undefined =
      (values.layout as LipLayout | undefined) ??
      (predTrack.kind === 'sequence' ? predTrack.layout : undefined) ??
      (gtTrack.kind === 'sequence' ? gtTrack.layout : undefined);
    const fps =
      values.fps !== undefined ? positiveNumber(values.fps, '--fps') : (predTrack.fps ?? gtTrack.fps ?? 50);
    for (const [track, path] of [
      [predTrack, values.pred],
      [gtTrack, values.gt],
    ] as const) {
      if (track.kind === 'sequence') {
        if (!layout)
          throw new CliError(
            `${path}: cannot tell the layout of ${track.sequence.points} points; pass --layout.`,
          );
        track.layout = layout;
      }
    }
    const predSignal = signalOf(predTrack, values.pred);
    const gtSignal = signalOf(gtTrack, values.gt, stride);
    const mtm = meanTemporalMisalignment(gtSignal, predSignal, { fps });
    const n = Math.min(gtSignal.length, predSignal.length);
    const rows: IRow[] = [
      { key: 'mtm_frames', label: 'MTM', value: mtm.mtmFrames, unit: 'frames', better: 'lower' },
      { key: 'mtm_ms', label: 'MTM', value: mtm.mtmMs, unit: 'ms', better: 'lower' },
      { key: 'matches', label: 'MTM matches', value: mtm.matches, unit: 'count', better: '-' },
      {
        key: 'lip_aperture_r',
        label: 'lip-aperture r',
        value: pearson(gtSignal.subarray(0, n), predSignal.subarray(0, n)),
        unit: '-',
        better: 'higher',
      },
    ];
    const extra: Record<string, unknown> = {};
    const predSeq = sequenceOf(predTrack);
    const gtSeqRaw = sequenceOf(gtTrack);
    const gtSeq = gtSeqRaw ? strideSequence(gtSeqRaw, stride) : null;
    if (predSeq && gtSeq && layout) {
      if (predSeq.points !== gtSeq.points) {
        throw new CliError(
          `evaluate: --pred has ${predSeq.points} points per frame but --gt has ${gtSeq.points}.`,
        );
      }
      rows.push({
        key: 'lve',
        label: 'LVE',
        value: lipVertexError(gtSeq, predSeq, { layout }),
        unit: 'm²',
        better: 'lower',
      });
      if (layout === 'flame') {
        let template: Float64Array | Float32Array = gtSeq.data.slice(0, gtSeq.points * 3);
        if (values.template) {
          const t = readTrack(values.template);
          const data = t.kind === 'sequence' ? t.sequence.data : t.signal;
          if (data.length !== gtSeq.points * 3) {
            throw new CliError(
              `${values.template}: expected ${gtSeq.points}×3 template values, got ${data.length}.`,
            );
          }
          template = data;
        }
        const mouth = new Set(FLAME_MOUTH_VERTICES_254);
        const indices = values['upper-vertices']
          ? readIndexList(values['upper-vertices'], gtSeq.points)
          : Array.from({ length: gtSeq.points }, (_, i) => i).filter((i) => !mouth.has(i));
        extra.fdd_region = values['upper-vertices']
          ? values['upper-vertices']
          : 'all non-mouth vertices (pass --upper-vertices for the paper upper face)';
        extra.fdd_template = values.template ?? 'GT frame 0';
        rows.push({
          key: 'fdd',
          label: 'FDD',
          value: upperFaceDynamicsDeviation(gtSeq, predSeq, { indices, templates: template }),
          unit: 'm²',
          better: '→ 0',
        });
      }
      if (values.audio) {
        let bytes: Uint8Array;
        try {
          bytes = readFileSync(values.audio);
        } catch (e) {
          throw new CliError(
            `${values.audio}: cannot read (${(e as NodeJS.ErrnoException).code ?? String(e)}).`,
          );
        }
        const wav = readWav(bytes, values.audio);
        if (wav.sampleRateHz < 8000 || wav.sampleRateHz > 96000) {
          throw new CliError(
            `${values.audio}: expected a sample rate of 8–96 kHz, got ${wav.sampleRateHz} Hz.`,
          );
        }
        const speech16k = resampleTo16k(wav.samples, wav.sampleRateHz);
        const envelope = {
          rms: rms(speech16k),
          frameRateHz: FEATURES_V1.sampleRateHz / FEATURES_V1.hopLengthSamples,
          offsetSec: FEATURES_V1.rmsFrameLengthSamples / 2 / FEATURES_V1.sampleRateHz,
        };
        const rPred = speechLipFrameCorrelation(envelope, predSeq, fps, { layout });
        const rGt = speechLipFrameCorrelation(envelope, gtSeq, fps, { layout });
        rows.push(
          { key: 'speech_lip_r_pred', label: 'speech–lip r (pred)', value: rPred, unit: '-', better: '≈ GT' },
          { key: 'speech_lip_r_gt', label: 'speech–lip r (GT)', value: rGt, unit: '-', better: '-' },
          {
            key: 'delta_speech_lip_r',
            label: 'Δ speech–lip r',
            value: rPred !== null && rGt !== null ? Math.abs(rPred - rGt) : null,
            unit: '-',
            better: 'lower',
          },
          {
            key: 'speech_intensity',
            label: 'speech RMS (SI)',
            value: speechIntensity(wav.samples),
            unit: 'full scale',
            better: '-',
          },
          {
            key: 'lip_intensity_pred',
            label: 'lip intensity (pred)',
            value: lipIntensity(predSeq, { layout }),
            unit: 'm/frame',
            better: '≈ GT',
          },
          {
            key: 'lip_intensity_gt',
            label: 'lip intensity (GT)',
            value: lipIntensity(gtSeq, { layout }),
            unit: 'm/frame',
            better: '-',
          },
        );
      }
    } else if (values.audio) {
      io.stderr('evaluate: --audio needs point sequences (not 1-D signals); speech–lip metrics skipped.');
    }
    const labelWidth = Math.max(...rows.map((r) => r.label.length), 6);
    io.stdout(`${'metric'.padEnd(labelWidth)}  ${'value'.padStart(12)}  ${'unit'.padEnd(10)}  better`);
    for (const r of rows) {
      io.stdout(
        `${r.label.padEnd(labelWidth)}  ${format(r.value).padStart(12)}  ${r.unit.padEnd(10)}  ${r.better}`,
      );
    }
    const report: Record<string, unknown> = {
      layout: layout ?? null,
      fps,
      frames: { gt: gtSignal.length, pred: predSignal.length },
      ...Object.fromEntries(rows.map((r) => [r.key, r.value])),
      ...extra,
      mtm_deltas: mtm.deltas,
    };
    if (values.out) {
      writeFileSync(values.out, JSON.stringify(report, null, 2) + '\n');
      io.stdout(`wrote ${values.out}`);
    }
    if (values.plot) {
      writeFileSync(values.plot, renderMtmSvg(mtm));
      io.stdout(`wrote ${values.plot}`);
    }
    return 0;
  },
};
