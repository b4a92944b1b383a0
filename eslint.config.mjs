// Lint: typescript-eslint recommended (type-aware rules stay off to keep CI fast), plus the import
// rules of our layout (../shared/docs/style-anchors.md §2): pure stages import no DOM-bound library,
// only models/onnxBackend.ts imports onnxruntime-web, only behavior/ and rig/applyRigPose.ts import Babylon,
// and stages import only downward (STAGES below; test/node/importCycles.test.ts checks there is no cycle).
import tseslint from 'typescript-eslint';

/**
 * The stage order of src/ (issue #17), lowest first. A stage imports only stages of LOWER rows; stages on
 * one row do not import each other. Derived from the imports: math is used by metrics and the rig solver;
 * models read features and the lips-v1/FLAME facts in metrics; playout turns model frames into rig poses
 * (live and baked); telemetry scores what was played (it may read playout's timing, playout never reads
 * telemetry); the worker runs features → models → telemetry scoring and audio captures; behavior and the
 * CLI compose everything. src/errors.ts, assetLayout.ts and assetUrls.ts
 * are shared leaves any stage may import; src/index.ts, worker.ts and capture-processor.ts are entries.
 */
const STAGES = [
  ['math'],
  ['features', 'metrics'],
  ['models', 'rig'],
  ['playout'],
  ['telemetry'],
  ['audio', 'worker'],
  ['behavior', 'cli'],
];
const SHARED_LEAVES = ['src/errors.ts', 'src/assetLayout.ts', 'src/assetUrls.ts'];

/** The import patterns a stage may not use: every stage on its row or above, itself excepted. */
function stagePatterns(stage) {
  const row = STAGES.findIndex((r) => r.includes(stage));
  const banned = STAGES.slice(row)
    .flat()
    .filter((s) => s !== stage);
  return banned.length === 0
    ? []
    : [
        {
          group: banned.flatMap((s) => [`../${s}/**`, `../../${s}/**`, `../../../${s}/**`]),
          message: `Stages import only downward (eslint.config.mjs STAGES): ${stage}/ may not import ${banned.join(', ')}.`,
        },
      ];
}

const babylon = {
  group: ['@babylonjs/*'],
  message: 'Only src/behavior/ and src/rig/applyRigPose.ts import Babylon.',
};
// `*.pure.js` modules appeared in @babylonjs/core 9.20: importing them narrows the peer range below what
// package.json promises (^9.0.0, tested at 9.0.0 by test/consumer). The registering module re-exports the same.
const babylonPure = {
  group: ['@babylonjs/**/*.pure.js', '@babylonjs/*/pure.js'],
  message:
    'Import the registering module (x.js, not x.pure.js): pure modules exist only from @babylonjs/core 9.20.',
};
const ort = {
  group: ['onnxruntime-web', 'onnxruntime-web/*'],
  message: 'Only src/models/onnxBackend.ts imports onnxruntime-web.',
};

export default tseslint.config(
  {
    ignores: [
      'dist/',
      'types/',
      'node_modules/',
      'examples/dist/',
      'training/',
      'test-results/',
      'bench/results/',
      'docs/api/',
    ],
  },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  // One block per stage (no-restricted-imports is replaced, not merged, by a later block for the same file,
  // so each block carries the library rules that apply to its files too).
  ...STAGES.flat().map((stage) => ({
    files: [`src/${stage}/**/*.ts`],
    ignores: ['src/behavior/**', 'src/rig/applyRigPose.ts', 'src/models/onnxBackend.ts', 'src/cli/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [babylon, ort, ...stagePatterns(stage)] }] },
  })),
  {
    files: ['src/*.ts'],
    ignores: SHARED_LEAVES,
    rules: { 'no-restricted-imports': ['error', { patterns: [babylon, ort] }] },
  },
  {
    files: SHARED_LEAVES,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            babylon,
            ort,
            { group: STAGES.flat().map((s) => `./${s}/**`), message: 'Shared leaves import no stage.' },
          ],
        },
      ],
    },
  },
  {
    files: ['src/behavior/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [ort, babylonPure, ...stagePatterns('behavior')] }],
    },
  },
  {
    files: ['src/rig/applyRigPose.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [ort, babylonPure, ...stagePatterns('rig')] }] },
  },
  {
    files: ['src/models/onnxBackend.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [babylon, ...stagePatterns('models')] }] },
  },
  {
    files: ['src/features/**', 'src/metrics/**', 'src/math/**', 'src/playout/**', 'src/rig/solve*.ts'],
    rules: {
      'no-restricted-globals': ['error', 'window', 'document', 'navigator', 'AudioContext', 'Worker'],
    },
  },
  {
    files: ['src/cli/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            babylon,
            ort,
            { group: ['**/behavior/**', '**/audio/**'], message: 'cli/ never imports behavior/ or audio/.' },
            ...stagePatterns('cli'),
          ],
        },
      ],
    },
  },
);
