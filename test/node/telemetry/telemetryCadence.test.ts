// The default scoring cadence (`DEFAULT_SHIFT_STEP_MS`, chosen by bench/telemetryCadence.ts) keeps the A/V
// offset within the acceptance bound (±35 ms) on recorded human speech with the TRAINED encoders, also for
// lips delays that fall between the shifts scored (50 and 150 ms: off a 40, 80 or 100 ms grid), and PLRS
// still tells the speaker's own lips from another clip's. Replays the live monitor's scoring offline
// (bench/lib/telemetryReplay.ts). Skips, with the reason, without pocketsphinx's LibriVox recordings
// (Debian package pocketsphinx-testdata) or without trained metric encoders in models/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { aggregateWindowScores } from '../../../src/telemetry/aggregateWindowScores.ts';
import { DEFAULT_SHIFT_STEP_MS } from '../../../src/telemetry/telemetryScorer.ts';
import {
  clipOffsetMs,
  delayedLips,
  loadTelemetryReplayModelsAsync,
  prepareTelemetryClipAsync,
  replayTelemetryAsync,
  type ITelemetryReplay,
} from '../../../bench/lib/telemetryReplay.ts';

const LIBRIVOX = '/usr/share/pocketsphinx/test/data/librivox/sense_and_sensibility_01_austen_64kb-';
const CLIPS = [`${LIBRIVOX}0870.wav`, `${LIBRIVOX}0920.wav`];
const MANIFEST = 'models/manifest.json';
const TOLERANCE_MS = 35;

function whyNot(): string | null {
  const missing = CLIPS.find((c) => !existsSync(c));
  if (missing) return `${missing} is not there (install pocketsphinx-testdata)`;
  const manifest = JSON.parse(readFileSync(MANIFEST, 'utf8')) as { metricEncoders?: unknown };
  if (!manifest.metricEncoders) return `${MANIFEST} has no metricEncoders`;
  if (/\*\*Status:[^*]*placeholder/i.test(readFileSync('models/MODEL_CARD.md', 'utf8')))
    return 'the models are a placeholder (MODEL_CARD.md)';
  return null;
}

function plrs(r: ITelemetryReplay): number {
  let sum = 0;
  let n = 0;
  for (const ws of r.perUtterance) {
    const agg = aggregateWindowScores(ws, r.zeroShiftIndex);
    if (agg.plrs !== null) {
      sum += agg.plrs * agg.windows;
      n += agg.windows;
    }
  }
  return sum / n;
}

const reason = whyNot();
test(
  `the default ${DEFAULT_SHIFT_STEP_MS} ms shift step measures lips delays on human speech within ±35 ms; PLRS separates`,
  { skip: reason ?? false },
  async () => {
    const models = await loadTelemetryReplayModelsAsync(MANIFEST);
    try {
      const clips = [];
      for (const c of CLIPS) clips.push(await prepareTelemetryClipAsync(c, models));
      const fps = models.manifest.generator.frameRateHz;
      const seen: string[] = [];
      for (const clip of clips) {
        for (const delayMs of [0, 50, 150]) {
          const lips = delayedLips(clip.lips, clip.frames, Math.round((delayMs / 1000) * fps));
          const offset = clipOffsetMs(await replayTelemetryAsync(clip, lips, clip.frames, models));
          seen.push(`${clip.name}@${delayMs}: ${offset?.toFixed(1)}`);
          assert.ok(
            offset !== null && Math.abs(offset - delayMs) <= TOLERANCE_MS,
            `${clip.name}: ${offset} ms measured for a ${delayMs} ms delay (all: ${seen.join(', ')})`,
          );
        }
      }
      const [a, b] = clips;
      const matched = plrs(await replayTelemetryAsync(a, a.lips, a.frames, models));
      const other = plrs(await replayTelemetryAsync(a, b.lips, Math.min(a.frames, b.frames), models));
      console.log(`${seen.join(', ')}; PLRS matched ${matched.toFixed(3)}, mismatched ${other.toFixed(3)}`);
      assert.ok(matched - other > 0.2, `PLRS matched ${matched} vs mismatched ${other}`);
    } finally {
      await models.releaseAsync();
    }
  },
);
