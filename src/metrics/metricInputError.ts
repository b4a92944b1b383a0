/**
 * The error every metric throws for unusable input.
 */

/**
 * Thrown when metric input is unusable: NaN/infinite values, empty or mismatched sequences, unknown
 * layouts. The message says what was expected, what arrived and how to fix it.
 */
export class MetricInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MetricInputError';
  }
}

/**
 * Throws a MetricInputError naming `what` if any value is not finite.
 * @internal
 */
export function _assertFinite(values: ArrayLike<number>, what: string): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) {
      throw new MetricInputError(
        `${what}: expected finite numbers, got ${values[i]} at index ${i}. Remove or interpolate NaN frames first.`,
      );
    }
  }
}
