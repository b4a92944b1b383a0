/**
 * In-place Cholesky factorisation of a symmetric positive-definite matrix, for the rig solver's normal
 * equations (factorised once at attach time, reused every frame).
 */

/**
 * Factorises `a = L·Lᵀ` in place: on return the lower triangle (diagonal included) of `a` holds `L` and the
 * strict upper triangle holds its mirror `Lᵀ`, so both substitutions in `choleskySolve` read rows
 * contiguously (the strided column walk of the back substitution was the slowest part of a solve).
 * @param a defines the n × n row-major symmetric matrix; overwritten with `L`
 * @param n defines the matrix order
 * @returns true on success, false when `a` is not (numerically) positive definite; `a` is then garbage
 */
export function choleskyFactor(a: Float64Array, n: number): boolean {
  if (a.length < n * n) throw new RangeError(`choleskyFactor: need ${n * n} entries, got ${a.length}`);
  for (let j = 0; j < n; j++) {
    const rj = j * n;
    let d = a[rj + j];
    for (let k = 0; k < j; k++) d -= a[rj + k] * a[rj + k];
    if (!(d > 0)) return false;
    const ljj = Math.sqrt(d);
    a[rj + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      const ri = i * n;
      let s = a[ri + j];
      for (let k = 0; k < j; k++) s -= a[ri + k] * a[rj + k];
      a[ri + j] = s / ljj;
    }
    for (let k = j + 1; k < n; k++) a[rj + k] = a[k * n + j];
  }
  return true;
}
