/**
 * Which syllable each live onset is. The fake microphone loops a stimulus file from an unknown point (and
 * a played file starts after an unknown delay), so live onsets are matched to the file's onsets by one
 * time offset: the file puts a different silence before each syllable (bench/makeAudio.sh), so only the
 * right offset lines up most onsets. Onsets that do not line up stay unlabelled rather than guessed.
 */

/** A stimulus file's onsets (`<name>.labels.json`, written by bench/lib/labelOnsets.ts). */
export interface IOnsetLabels {
  /** File length, seconds (the loop period on the fake microphone). */
  readonly durationSec: number;
  /** Onsets in the file, seconds from its start, with the syllable that starts there. */
  readonly onsets: readonly { readonly t: number; readonly label: string }[];
}

/**
 * Labels live onset times (seconds, one clock) by the file they come from: tries each pairing of one of
 * the first live onsets with each file onset as the offset, maps every live onset into the file (modulo
 * its length) and keeps the offset that lines up the most onsets within `toleranceSec`. Returns one label
 * per onset (null where none lines up); all null unless at least two and more than half line up.
 * @param liveSec defines the live onset times in order
 * @param file defines the stimulus file's onsets and length
 * @param toleranceSec defines how far a live onset may sit from its file onset, seconds
 */
export function labelLiveOnsets(
  liveSec: readonly number[],
  file: IOnsetLabels,
  toleranceSec = 0.02,
): (string | null)[] {
  const D = file.durationSec;
  const match = (offset: number) =>
    liveSec.map((t) => {
      const pos = (((t - offset) % D) + D) % D;
      for (const o of file.onsets) {
        const d = Math.abs(pos - o.t);
        if (Math.min(d, D - d) <= toleranceSec) return o.label;
      }
      return null;
    });
  let best: (string | null)[] = liveSec.map(() => null);
  let bestCount = 0;
  for (let i = 0; i < Math.min(3, liveSec.length); i++) {
    for (const o of file.onsets) {
      const labels = match(liveSec[i] - o.t);
      const count = labels.filter((l) => l !== null).length;
      if (count > bestCount) {
        best = labels;
        bestCount = count;
      }
    }
  }
  return bestCount >= 2 && bestCount > liveSec.length / 2 ? best : liveSec.map(() => null);
}
