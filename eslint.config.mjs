// Lint: typescript-eslint recommended (type-aware rules stay off to keep CI fast), plus the import
// rules of our layout (../shared/docs/style-anchors.md §2): pure stages import no DOM-bound library,
// only models/onnxBackend.ts imports onnxruntime-web, only behavior/ and rig/applyRigPose.ts import Babylon.
import tseslint from 'typescript-eslint';

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
  {
    files: ['src/**/*.ts'],
    ignores: ['src/behavior/**', 'src/rig/applyRigPose.ts', 'src/models/onnxBackend.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [babylon, ort] }] },
  },
  {
    files: ['src/behavior/**/*.ts', 'src/rig/applyRigPose.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [ort, babylonPure] }] },
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
            { group: ['**/behavior/**', '**/audio/**'], message: 'cli/ never imports behavior/ or audio/.' },
          ],
        },
      ],
    },
  },
);
