// Five build entries. The worker and the worklet are loaded at run time with
// `new URL('./worker.js', import.meta.url)`, so their output names are fixed and they are bundled
// self-contained: a worker or worklet cannot resolve bare specifiers in a browser without a bundler.
import { nodeResolve } from '@rollup/plugin-node-resolve';
import esbuild from 'rollup-plugin-esbuild';

const peers = [/^@babylonjs\//];
const target = 'es2022';
const quiet = (warning, warn) => {
  // onnxruntime-web's bundle uses eval-free dynamic imports and `this` at top level: harmless here.
  if (warning.code === 'THIS_IS_UNDEFINED' || warning.code === 'CIRCULAR_DEPENDENCY') return;
  warn(warning);
};

export default [
  {
    input: { index: 'src/index.ts', metrics: 'src/metrics/index.ts' },
    external: [...peers, /^comlink/, /^onnxruntime-web/],
    plugins: [nodeResolve({ browser: true }), esbuild({ target, loaders: { '.json': 'json' } })],
    output: {
      dir: 'dist',
      format: 'es',
      entryFileNames: '[name].js',
      chunkFileNames: 'chunks/[name]-[hash].js',
      sourcemap: true,
    },
    onwarn: quiet,
  },
  {
    input: { worker: 'src/worker.ts' },
    plugins: [
      nodeResolve({ browser: true }),
      esbuild({ target, minify: true, loaders: { '.json': 'json' } }),
    ],
    output: {
      dir: 'dist',
      format: 'es',
      entryFileNames: '[name].js',
      inlineDynamicImports: true,
      sourcemap: true,
    },
    onwarn: quiet,
  },
  {
    input: { 'capture-processor': 'src/capture-processor.ts' },
    plugins: [nodeResolve({ browser: true }), esbuild({ target, loaders: { '.json': 'json' } })],
    output: { dir: 'dist', format: 'es', entryFileNames: '[name].js', sourcemap: true },
    onwarn: quiet,
  },
  {
    // bake-worker.js: the worker threads of `bake --in-dir` (src/cli/bakeWorker.ts).
    input: { cli: 'src/cli/main.ts', 'bake-worker': 'src/cli/bakeWorker.ts' },
    // The audio decoders stay packages (dependencies), loaded only when such a file is baked.
    external: [
      /^node:/,
      /^onnxruntime-web/,
      /^onnxruntime-node/,
      /^@wasm-audio-decoders\//,
      /^ogg-opus-decoder$/,
      /^mpg123-decoder$/,
    ],
    plugins: [
      nodeResolve({ preferBuiltins: true }),
      esbuild({ target: 'node20', loaders: { '.json': 'json' } }),
    ],
    output: {
      dir: 'dist',
      format: 'es',
      entryFileNames: '[name].js',
      chunkFileNames: 'chunks/[name]-[hash].js',
      banner: '#!/usr/bin/env node',
      sourcemap: true,
    },
    onwarn: quiet,
  },
];
