/**
 * Reduces a generator's raw output to lips-v1 displacements (63 values per frame), whatever the output
 * kind the manifest declares: lips-v1 passes through; whole FLAME meshes are read at the lips-v1
 * landmarks (FLAME topology facts from metrics/) relative to the template's, inside the worker, so
 * 63 values per frame cross threads instead of 15,069.
 */
import { FLAME_VERTEX_COUNT } from '../metrics/flameRegions.ts';
import { flameVerticesToLipsV1 } from '../metrics/flameVerticesToLipsV1.ts';
import { ModelLoadError } from '../errors.ts';
import { LIPS_V1_VALUES } from '../metrics/lipsV1Layout.ts';
import type { IGeneratorManifest } from './modelManifest.ts';

/** Raw output values of `frames` frames → `frames × 63` lips-v1 displacements, metres. */
export type GeneratorOutputToLips = (raw: Float32Array) => Float32Array;

const FLAME_VALUES = FLAME_VERTEX_COUNT * 3;

/**
 * @param g defines the generator (its `outputKind`)
 * @param template defines the neutral FLAME mesh (`templateFile`), required for `flame-vertices`
 * @throws ModelLoadError when the template is missing or not 5023 × 3
 */
export function createGeneratorOutputToLips(g: IGeneratorManifest, template?: Float32Array): GeneratorOutputToLips {
  if (g.outputKind === 'lips-v1-displacement') return (raw) => raw;
  if (!template || template.length !== FLAME_VALUES)
    throw new ModelLoadError(
      `The FLAME template (${g.templateFile}) must hold ${FLAME_VALUES} float32 values, got ${template?.length ?? 'none'}.`,
    );
  const neutral = flameVerticesToLipsV1(template);
  const lips = new Float32Array(LIPS_V1_VALUES);
  return (raw) => {
    if (raw.length % FLAME_VALUES !== 0)
      throw new ModelLoadError(`A flame-vertices generator must output 5023 × 3 values per frame; got ${raw.length}.`);
    const frames = raw.length / FLAME_VALUES;
    const out = new Float32Array(frames * LIPS_V1_VALUES);
    for (let f = 0; f < frames; f++) {
      flameVerticesToLipsV1(raw.subarray(f * FLAME_VALUES, (f + 1) * FLAME_VALUES), lips);
      for (let i = 0; i < LIPS_V1_VALUES; i++) out[f * LIPS_V1_VALUES + i] = lips[i] - neutral[i];
    }
    return out;
  };
}

/** Reads a `templateFile` (5023 × 3 float32, little-endian). */
export function parseFlameTemplate(bytes: Uint8Array): Float32Array {
  if (bytes.byteLength !== FLAME_VALUES * 4)
    throw new ModelLoadError(`A FLAME template is ${FLAME_VALUES * 4} bytes (5023 × 3 float32); got ${bytes.byteLength}.`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Float32Array.from({ length: FLAME_VALUES }, (_, i) => view.getFloat32(i * 4, true));
}
