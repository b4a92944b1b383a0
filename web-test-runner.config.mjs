// Browser tests in Debian's real Chromium (headless): real AudioWorklet, Worker, onnxruntime-web,
// SwiftShader WebGL2/WebGPU and the fake microphone fed with a wav. Flags: ../shared/docs/browser-stack.md.
import fs from 'node:fs';
import path from 'node:path';
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { chromeLauncher } from '@web/test-runner-chrome';
import { defaultReporter } from '@web/test-runner';
import { countReporter } from './test/browser/countReporter.mjs';

/**
 * Chromium flags of every browser test (also the consumer test, test/consumer/run.mjs).
 * @param {string} micWav the wav the fake microphone plays (looped)
 * @returns {string[]}
 */
export function testChromiumArgs(micWav) {
  return [
    '--no-sandbox',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--enable-unsafe-webgpu',
    '--use-fake-ui-for-media-stream',
    '--use-fake-device-for-media-stream',
    `--use-file-for-fake-audio-capture=${micWav}`,
    '--autoplay-policy=no-user-gesture-required',
    // The runner reuses a tab per test file and navigates it to about:blank between files; with the
    // back/forward cache the previous file's page (cross-origin isolated, so a renderer process of its own)
    // stayed alive and kept using CPU (one more busy renderer per file: 4 after 6 files), starving the
    // real-time tests that ran later. Without it the old page is torn down.
    '--disable-features=BackForwardCache',
  ];
}
const micWav = path.resolve(process.env.FAKE_MIC_WAV ?? 'test/fixtures/generated/mic-speech.wav');
const args = testChromiumArgs(micWav);

/** Library source says `new URL('./worker.js', import.meta.url)` (the built name); serve the .ts behind it. */
const jsToTs = async (ctx, next) => {
  if (
    ctx.path.endsWith('.js') &&
    !fs.existsSync('.' + ctx.path) &&
    fs.existsSync('.' + ctx.path.slice(0, -3) + '.ts')
  ) {
    ctx.url = ctx.path.slice(0, -3) + '.ts' + (ctx.querystring ? '?' + ctx.querystring : '');
  }
  await next();
};
/**
 * Test fixtures that must never be copied into the repo (../shared/flame) are served read-only at
 * /shared/*; tests skip with a message when the folder is absent (as on a user's machine).
 */
const sharedDir = path.resolve('..', 'shared');
const serveShared = async (ctx, next) => {
  if (ctx.path.startsWith('/shared/')) {
    const file = path.join(
      sharedDir,
      path.normalize(ctx.path.slice('/shared/'.length)).replace(/^(\.\.[/\\])+/, ''),
    );
    if (file.startsWith(sharedDir + path.sep) && fs.existsSync(file) && fs.statSync(file).isFile()) {
      ctx.body = fs.readFileSync(file);
      ctx.type = path.extname(file) === '.json' ? 'application/json' : 'application/octet-stream';
      return;
    }
    ctx.status = 404;
    return;
  }
  await next();
};
/**
 * Flaky downloads for fault tests: `/flaky/<key>/<path>` answers 503 to the first request for each
 * path under a key, then serves `/<path>`. Tests use a fresh key each; `GET /flaky/<key>/` lists the
 * paths that failed once (JSON).
 */
const failedOnce = new Map();
const flaky = async (ctx, next) => {
  const m = /^\/flaky\/([^/]+)\/(.*)$/.exec(ctx.path);
  if (!m) return next();
  const [, key, rest] = m;
  if (!failedOnce.has(key)) failedOnce.set(key, new Set());
  const failed = failedOnce.get(key);
  if (rest === '') {
    ctx.type = 'application/json';
    ctx.body = JSON.stringify([...failed]);
    return;
  }
  if (!failed.has(rest)) {
    failed.add(rest);
    ctx.status = 503;
    ctx.body = 'flaky (fault test): try again';
    return;
  }
  ctx.url = '/' + rest + (ctx.querystring ? '?' + ctx.querystring : '');
  await next();
};
/** Cross-origin isolation: SharedArrayBuffer and threaded wasm. */
const isolate = async (ctx, next) => {
  await next();
  ctx.set('Cross-Origin-Opener-Policy', 'same-origin');
  ctx.set('Cross-Origin-Embedder-Policy', 'require-corp');
};

export default {
  files: process.env.WTR_FILES ?? 'test/browser/**/*.test.ts',
  nodeResolve: { browser: true },
  staticLogging: true,
  concurrency: 1,
  testsFinishTimeout: 600000,
  browserStartTimeout: 120000,
  testFramework: { config: { timeout: 120000 } },
  plugins: [esbuildPlugin({ ts: true, target: 'esnext' })],
  middleware: [isolate, serveShared, flaky, jsToTs],
  reporters: [defaultReporter(), countReporter()],
  browsers: [
    chromeLauncher({
      launchOptions: { executablePath: process.env.CHROME_PATH ?? '/usr/bin/chromium', headless: true, args },
    }),
  ],
};
