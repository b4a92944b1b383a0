/**
 * Derivative dynamic time warping (DDTW) as the paper's MTM evaluation runs it.
 */

/** Result of derivativeDtw. */
export interface IDtwResult {
  /** Cumulative cost of the optimal path. */
  distance: number;
  /** Warping path as (i, j) index pairs into x and y, from (0, 0)-ish to (n−1, m−1). */
  path: Array<[number, number]>;
}

/**
 * Classic DTW on backward first differences (d[0] = 0, d[i] = s[i] − s[i−1]) with cost |dx_i − dy_j|
 * and equal-weight insertion, deletion and match. Backtracking from (n, m) takes the smallest of
 * [diagonal, up (i−1), left (j−1)] with ties broken in that order, and stops when either index reaches
 * 0, as kaist-ami/Perceptual-3D-Talking-Head evaluation/evaluate_MTM.py does.
 *
 * O(n·m) time and memory (a 3000 × 3000 pair needs 72 MB).
 * @param x defines the first series (length ≥ 1)
 * @param y defines the second series (length ≥ 1)
 * @returns the cost and the path
 */
export function derivativeDtw(x: ArrayLike<number>, y: ArrayLike<number>): IDtwResult {
  const n = x.length;
  const m = y.length;
  const dx = new Float64Array(n);
  const dy = new Float64Array(m);
  for (let i = 1; i < n; i++) dx[i] = x[i] - x[i - 1];
  for (let j = 1; j < m; j++) dy[j] = y[j] - y[j - 1];
  const w = m + 1;
  const cost = new Float64Array((n + 1) * w).fill(Infinity);
  cost[0] = 0;
  for (let i = 1; i <= n; i++) {
    for (let j = 1; j <= m; j++) {
      const up = cost[(i - 1) * w + j];
      const left = cost[i * w + j - 1];
      const diag = cost[(i - 1) * w + j - 1];
      cost[i * w + j] = Math.abs(dx[i - 1] - dy[j - 1]) + Math.min(up, left, diag);
    }
  }
  const path: Array<[number, number]> = [];
  let i = n;
  let j = m;
  while (i > 0 && j > 0) {
    path.push([i - 1, j - 1]);
    const diag = cost[(i - 1) * w + j - 1];
    const up = cost[(i - 1) * w + j];
    const left = cost[i * w + j - 1];
    if (diag <= up && diag <= left) {
      i--;
      j--;
    } else if (up <= left) {
      i--;
    } else {
      j--;
    }
  }
  path.reverse();
  return { distance: cost[n * w + m], path };
}
