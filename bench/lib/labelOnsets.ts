/**
 * Writes a stimulus file's onset labels (bench/lib/onsetLabels.ts) to stdout as JSON: the onsets the
 * bench's detector finds in the wav, paired in order with the syllables given on the command line.
 * Fails when the counts differ (a syllable without a sharp onset would silently shift every label).
 * Usage: `node --import tsx bench/lib/labelOnsets.ts file.wav pa ta ka a ...` (bench/makeAudio.sh).
 */
import { execFileSync } from 'node:child_process';
import { detectOnsets } from './onsetDetector.ts';

const [file, ...labels] = process.argv.slice(2);
// sox decodes (bench/makeAudio.sh needs it anyway): raw 32-bit float mono at the file's own rate.
const rate = Number(execFileSync('soxi', ['-r', file], { encoding: 'utf8' }).trim());
const raw = execFileSync('sox', [file, '-t', 'f32', '-c', '1', '-'], { maxBuffer: 1 << 30 });
const samples = new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4);
const onsets = detectOnsets(samples, rate);
if (onsets.length !== labels.length) {
  console.error(`${file}: ${onsets.length} onsets detected for ${labels.length} syllables`);
  process.exit(1);
}
const round = (x: number) => Math.round(x * 10000) / 10000;
console.log(
  JSON.stringify({
    durationSec: round(samples.length / rate),
    onsets: onsets.map((t, i) => ({ t: round(t), label: labels[i] })),
  }),
);
