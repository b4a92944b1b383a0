/**
 * 1-D Gaussian smoothing with scipy.ndimage.gaussian_filter1d's conventions (MTM uses σ = 2 frames).
 */

/**
 * Sums like numpy's pairwise `np.sum` for short float64 arrays (8 running partials, then a fixed
 * combination, then the tail), so the normalised kernel equals scipy's to the last bit.
 */
function numpySum(a: Float64Array): number {
  const n = a.length;
  if (n < 8) {
    let s = 0;
    for (let i = 0; i < n; i++) s += a[i];
    return s;
  }
  const r = a.slice(0, 8);
  let i = 8;
  for (; i + 8 <= n; i += 8) for (let j = 0; j < 8; j++) r[j] += a[i + j];
  let s = r[0] + r[1] + (r[2] + r[3]) + (r[4] + r[5] + (r[6] + r[7]));
  for (; i < n; i++) s += a[i];
  return s;
}

/** Half-sample symmetric reflection ('reflect': d c b a | a b c d | d c b a) of an index into [0, n). */
function reflectIndex(i: number, n: number): number {
  const period = 2 * n;
  let k = i % period;
  if (k < 0) k += period;
  return k < n ? k : period - 1 - k;
}

/**
 * Smooths a series with a normalised Gaussian kernel of radius ⌊truncate·σ + 0.5⌋ (17 taps for σ = 2)
 * and 'reflect' boundaries, accumulating in scipy's order (centre tap, then symmetric pairs from the
 * outermost in) so results agree with scipy to rounding.
 * @param x defines the series
 * @param sigma defines the standard deviation in samples (> 0)
 * @param truncate defines the kernel half-width in standard deviations; default 4 (scipy's)
 * @returns the smoothed series, same length, float64
 * @throws RangeError when sigma is not positive
 */
export function gaussianFilter1d(x: ArrayLike<number>, sigma: number, truncate = 4): Float64Array {
  if (!(sigma > 0)) throw new RangeError(`gaussianFilter1d: expected sigma > 0, got ${sigma}.`);
  const radius = Math.floor(truncate * sigma + 0.5);
  const c = -0.5 / (sigma * sigma);
  const w = new Float64Array(2 * radius + 1);
  for (let k = -radius; k <= radius; k++) w[k + radius] = Math.exp(c * k * k);
  const total = numpySum(w);
  for (let k = 0; k < w.length; k++) w[k] /= total;
  const n = x.length;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let acc = x[i] * w[radius];
    for (let k = radius; k >= 1; k--) {
      acc += (x[reflectIndex(i - k, n)] + x[reflectIndex(i + k, n)]) * w[radius + k];
    }
    out[i] = acc;
  }
  return out;
}
