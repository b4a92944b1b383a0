import type { IGeneratorManifest } from '../../../src/models/modelManifest.ts';

/** A 50 fps lips-v1 generator manifest for tests; override what the test is about. */
export function generatorManifest(overrides: Partial<IGeneratorManifest> = {}): IGeneratorManifest {
  return {
    file: 'x.onnx',
    outputKind: 'lips-v1-displacement',
    inputName: 'mel',
    outputName: 'lips',
    featureSpec: 'features-v1',
    melFramesPerOutputFrame: 2,
    frameRateHz: 50,
    contextFrames: 0,
    lookaheadFrames: 0,
    ...overrides,
  };
}
