/**
 * Solves `L·Lᵀ·x = b` given the Cholesky factor from `choleskyFactor`: two triangular substitutions,
 * O(n²), no allocation (the rig solver calls it every frame).
 */

/**
 * Forward then backward substitution with a Cholesky factor.
 * @param l defines the n × n row-major factor from `choleskyFactor` (L below the diagonal, Lᵀ above)
 * @param n defines the matrix order
 * @param b defines the right-hand side (length ≥ n)
 * @param out defines where x is written (length ≥ n); may be the same array as `b`
 * @returns `out`
 */
export function choleskySolve<T extends Float32Array | Float64Array>(
  l: Float64Array,
  n: number,
  b: ArrayLike<number>,
  out: T,
): T {
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    let s = b[i];
    for (let k = 0; k < i; k++) s -= l[ri + k] * out[k];
    out[i] = s / l[ri + i];
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = out[i];
    const ri = i * n;
    for (let k = i + 1; k < n; k++) s -= l[ri + k] * out[k];
    out[i] = s / l[ri + i];
  }
  return out;
}
