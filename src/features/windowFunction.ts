/**
 * Analysis windows for the log-mel front end (features-v1 uses `hann-periodic`).
 */

/** Window shapes this module can build. */
export type WindowType = 'hann-periodic' | 'hann-symmetric';

/**
 * Builds an analysis window.
 *
 * `hann-periodic` is w[n] = 0.5 − 0.5·cos(2πn/N) (the DFT-even Hann of numpy/torch `periodic=True`),
 * `hann-symmetric` uses N − 1 in the denominator.
 * @param type defines the window shape
 * @param length defines the window length in samples (≥ 1)
 * @returns the window, `length` values in [0, 1]
 * @throws RangeError when `length` is not a positive integer
 */
export function windowFunction(type: WindowType, length: number): Float64Array {
  if (!Number.isInteger(length) || length < 1) {
    throw new RangeError(`windowFunction: expected a positive integer length, got ${length}.`);
  }
  const w = new Float64Array(length);
  const denominator = type === 'hann-periodic' ? length : length - 1;
  if (denominator === 0) {
    w[0] = 1;
    return w;
  }
  for (let n = 0; n < length; n++) w[n] = 0.5 - 0.5 * Math.cos((2 * Math.PI * n) / denominator);
  return w;
}
