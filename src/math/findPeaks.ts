/**
 * Local maxima with scipy.signal.find_peaks's rules (no height, distance or prominence filters).
 */

/**
 * Indices of local maxima: a sample (or a flat plateau) strictly higher than both neighbours. A plateau
 * is reported at its middle index, rounded down; the first and last samples are never peaks.
 * Equivalent to scipy.signal.find_peaks(x) with no arguments. Use it on −x for minima.
 * @param x defines the series (finite values)
 * @returns ascending peak indices
 */
export function findPeaks(x: ArrayLike<number>): number[] {
  const peaks: number[] = [];
  const last = x.length - 1;
  let i = 1;
  while (i < last) {
    if (x[i - 1] < x[i]) {
      let ahead = i + 1;
      while (ahead < last && x[ahead] === x[i]) ahead++;
      if (x[ahead] < x[i]) {
        peaks.push(Math.floor((i + ahead - 1) / 2));
        i = ahead;
      }
    }
    i++;
  }
  return peaks;
}
