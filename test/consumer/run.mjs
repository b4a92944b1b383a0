#!/usr/bin/env node
// Consumer test (issue #16): follows README.md's "Quick start with Vite" literally in a fresh app outside the
// repository, with the package as `npm pack` makes it, and checks in headless Debian Chromium (the browser
// tests' flags, fake microphone playing a speech wav) that the avatar's lips move, a telemetry sample
// arrives and nothing is logged as an error. Modes:
//   vite-build   `npm run build` (tsc + vite build) served by `vite preview`   latest @babylonjs/core ^9
//   vite-dev     `npm run dev` (dependency pre-bundling)                        latest @babylonjs/core ^9
//   esbuild-9.0  the README's esbuild commands, after installing @babylonjs/core and /loaders 9.0.0, the
//                lower bound of the peer range (plus `tsc` type-checking src/ against it)
// The app code is the README's; the test adds src/consumerProbe.ts (reads morph influences and the
// behavior's events through Babylon's EngineStore) imported before it through src/consumerEntry.ts, and
// replaces the package name in `npm install` by the tarball and the servers' ports by free ones. Options are
// the README's (default executionProviders: WebGPU first).
// Prints one line per check and ends with `N passed, N failed, N skipped`; exit 1 on any failure.
// Build first (npm run build) and make the fixtures (bash scripts/make-test-fixtures).
// Env: CONSUMER_KEEP=1 keeps the app folder; CONSUMER_MODES=vite-build,vite-dev,esbuild-9.0 (default all);
// CONSUMER_WEBGPU=0 launches Chromium without --enable-unsafe-webgpu (diagnosis only: no WebGPU adapter);
// CONSUMER_DEADLINE_S (default 150) bounds each page's wait for moving lips and telemetry.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import puppeteer from 'puppeteer-core';
import { testChromiumArgs } from '../../web-test-runner.config.mjs';
import { readConsumerBlocks, shellCommands } from './readmeBlocks.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const LOWER_BOUND = '9.0.0';
const MODES = (process.env.CONSUMER_MODES ?? 'vite-build,vite-dev,esbuild-9.0').split(',');
const DEADLINE_MS = Number(process.env.CONSUMER_DEADLINE_S ?? 150) * 1000;
/** Samples (every 50 ms) whose influences changed, and the largest influence, that count as "lips move". */
const MIN_CHANGES = 20;
const MIN_INFLUENCE = 0.05;
const t0 = Date.now();
const secs = () => `${((Date.now() - t0) / 1000).toFixed(0)}s`;

const counts = { passed: 0, failed: 0, skipped: 0 };
function check(name, ok, detail = '') {
  counts[ok ? 'passed' : 'failed']++;
  console.log(`${ok ? 'ok    ' : 'FAILED'} ${name}${detail ? `: ${detail}` : ''}`);
  return ok;
}

/** Runs a shell command in `cwd`, output to the log; resolves with the exit code. */
function sh(command, cwd, env = {}) {
  console.log(`$ ${command}   (in ${path.relative(os.tmpdir(), cwd) || cwd}, ${secs()})`);
  return new Promise((resolve) => {
    const child = spawn('bash', ['-c', command], {
      cwd,
      env: { ...process.env, ...NPM_ENV, ...env },
      stdio: 'inherit',
    });
    child.on('exit', (code) => resolve(code ?? 1));
  });
}
const NPM_ENV = {
  npm_config_yes: 'true', // `npm create` installs create-vite without asking
  npm_config_fund: 'false',
  npm_config_audit: 'false',
  npm_config_update_notifier: 'false',
  PUPPETEER_SKIP_DOWNLOAD: '1',
};

async function freePort() {
  const server = net.createServer();
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address();
  await new Promise((r) => server.close(r));
  return port;
}

/** Starts a server command (its own process group) and waits until `url` answers. */
async function startServer(command, cwd, url) {
  console.log(`$ ${command}   (server, ${secs()})`);
  const child = spawn('bash', ['-c', `exec ${command}`], {
    cwd,
    env: { ...process.env, ...NPM_ENV },
    stdio: ['pipe', 'inherit', 'inherit'], // esbuild serves while its stdin is open
    detached: true,
  });
  const stop = () => {
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      // already gone
    }
  };
  const until = Date.now() + 60_000;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`${command} exited with ${child.exitCode}`);
    try {
      const res = await fetch(url);
      if (res.ok) return stop;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  stop();
  throw new Error(`${command}: ${url} did not answer within 60 s`);
}

/** Opens `url` in headless Chromium and reports what the probe and the browser saw. */
async function runPage(mode, url) {
  const wav = path.join(repo, 'test/fixtures/generated/mic-speech.wav');
  let args = testChromiumArgs(wav);
  if (process.env.CONSUMER_WEBGPU === '0') args = args.filter((a) => a !== '--enable-unsafe-webgpu');
  const browser = await puppeteer.launch({
    executablePath: process.env.CHROME_PATH ?? '/usr/bin/chromium',
    headless: true,
    args,
  });
  const consoleErrors = [];
  const httpErrors = [];
  const fetched = [];
  let faviconMisses = 0;
  try {
    const page = await browser.newPage();
    await page.setViewport({ width: 640, height: 480 });
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
      else if (/lip sync/.test(m.text())) process.stdout.write('.');
    });
    page.on('pageerror', (e) => consoleErrors.push(`uncaught: ${e.message}`));
    page.on('response', (r) => {
      const u = new URL(r.url());
      if (u.pathname.startsWith('/lipsync/')) fetched.push(u.pathname);
      // Chromium asks for /favicon.ico by itself; the README's one-line index.html has none.
      if (r.status() === 404 && u.pathname === '/favicon.ico') faviconMisses++;
      else if (r.status() >= 400) httpErrors.push(`${r.status()} ${u.pathname}`);
    });
    // Start-up breakdown: when each asset (the worker's fetches included) finished, from navigation.
    const finished = {};
    page.on('requestfinished', (r) => {
      const p = new URL(r.url()).pathname;
      if (p.startsWith('/lipsync/')) finished[p] = Date.now() - loadedAt;
    });
    const loadedAt = Date.now();
    await page.goto(url, { waitUntil: 'load', timeout: 120_000 });
    let report = null;
    while (Date.now() - loadedAt < DEADLINE_MS) {
      await new Promise((r) => setTimeout(r, 1000));
      report = await page.evaluate(() => window.__consumerProbe ?? null).catch(() => null); // dev reloads
      const moving = report && report.changes >= MIN_CHANGES && report.maxInfluence >= MIN_INFLUENCE;
      if (moving && report.telemetrySamples >= 1) break;
      if (report?.states.some((s) => s.state === 'error')) break;
    }
    process.stdout.write('\n');
    // Chromium logs the favicon miss as a console error without its URL: drop one such line per miss.
    let misses = faviconMisses;
    const errors = consoleErrors.filter((t) => !(/status of 404 \(Not Found\)/.test(t) && misses-- > 0));
    return { report, consoleErrors: errors, httpErrors, fetched: [...new Set(fetched)], finished };
  } finally {
    await browser.close();
  }
}

function checkPage(mode, result) {
  const r = result.report;
  const states = r ? r.states.map((s) => s.state).join(' → ') : 'no probe report';
  console.log(
    `  ${mode}: states ${states}; influence changes ${r?.changes ?? 0} of ${r?.samples ?? 0} samples, ` +
      `max ${(r?.maxInfluence ?? 0).toFixed(3)}; telemetry ${r?.telemetrySamples ?? 0} (backend ${r?.telemetryBackend ?? '–'})`,
  );
  if (r) {
    const at = (ms) => (ms === null ? '–' : `${(ms / 1000).toFixed(1)} s`);
    console.log(
      `  ${mode}: start-up from navigation: running ${at(r.firstRunningMs)}, lips moving ${at(r.firstMovingMs)}, ` +
        `first telemetry ${at(r.firstTelemetryMs)}`,
    );
  }
  if (r && result.finished) {
    // Navigation → models and wasm downloaded → sessions created (state 'running') → first open mouth.
    const f = result.finished;
    const fetchedAt = Math.max(
      ...Object.entries(f)
        .filter(([p]) => /\.(onnx|wasm)$/.test(p))
        .map(([, t]) => t),
      0,
    );
    const s = (ms) => (ms === null || ms === undefined ? '–' : `${(ms / 1000).toFixed(1)} s`);
    console.log(
      `  ${mode}: start-up: worker.js ${s(f['/lipsync/worker.js'])}, models + wasm fetched ${s(fetchedAt)}, ` +
        `sessions ready (running) ${s(r.firstRunningMs)}, first open mouth ${s(r.firstMovingMs)} (from navigation)`,
    );
  }
  check(`${mode}: the behavior was found on the avatar`, !!r?.behaviorFound, r ? '' : 'no probe report');
  check(
    `${mode}: lips move during speech (morph influences change)`,
    !!r && r.changes >= MIN_CHANGES && r.maxInfluence >= MIN_INFLUENCE,
    r ? `${r.changes} changes, max influence ${r.maxInfluence.toFixed(3)}` : '',
  );
  check(
    `${mode}: a telemetry sample arrives`,
    (r?.telemetrySamples ?? 0) >= 1,
    `${r?.telemetrySamples ?? 0} samples`,
  );
  const errors = [...result.consoleErrors, ...result.httpErrors, ...(r?.errors ?? [])];
  check(
    `${mode}: no console error, failed request or lip-sync error`,
    errors.length === 0,
    errors.slice(0, 5).join(' | '),
  );
  // One onnxruntime-web binary and no glue module (the worker embeds it), nothing else of the asset folder
  // but the worker, the worklet, the models and the avatar.
  const wasm = result.fetched.filter((p) => p.endsWith('.wasm'));
  const glue = result.fetched.filter((p) => p.endsWith('.mjs'));
  check(
    `${mode}: fetched one .wasm and no .mjs from the asset folder`,
    wasm.length === 1 && glue.length === 0,
    result.fetched.join(' '),
  );
}

/**
 * `npm pack`, then the README's setup block, as written, in `work`; the package name in `npm install`
 * becomes the tarball.
 * @returns {Promise<string | null>} the app folder, or null after a failed step (reported)
 */
async function setUpApp(blocks, work) {
  if ((await sh(`npm pack --silent --pack-destination "${work}"`, repo)) !== 0)
    return (check('npm pack', false), null);
  const tarball = fs.readdirSync(work).find((f) => f.endsWith('.tgz'));
  if (!check('npm pack', !!tarball)) return null;
  let cwd = work;
  for (const command of shellCommands(blocks.get('setup'))) {
    const cd = /^cd\s+(\S+)$/.exec(command);
    if (cd) {
      cwd = path.resolve(cwd, cd[1]);
      continue;
    }
    const run = /^npm (install|i)\b/.test(command)
      ? command.replace(/(\s)babylon-perceptual-lipsync(?=\s|$)/, `$1${path.join(work, tarball)}`)
      : command;
    if (!check(`setup: ${command}`, (await sh(run, cwd)) === 0)) return null;
  }
  return cwd;
}

/** Starts `command(port)` on a free port in `cwd`, runs and checks the page, stops the server. */
async function serveAndCheck(mode, command, cwd) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/`;
  const stop = await startServer(command(port), cwd, url);
  try {
    checkPage(mode, await runPage(mode, url));
  } finally {
    stop();
  }
}

async function main() {
  const blocks = readConsumerBlocks(path.join(repo, 'README.md'));
  const need = ['setup', 'src/main.ts', 'vite', 'esbuild'];
  const missing = need.filter((b) => !blocks.has(b));
  if (
    !check(
      'README has the consumer blocks',
      missing.length === 0,
      missing.map((b) => `consumer:${b}`).join(', '),
    )
  )
    return;
  for (const f of [
    'dist/index.js',
    'dist/worker.js',
    'dist/demo-avatar.glb',
    'test/fixtures/generated/mic-speech.wav',
  ]) {
    if (!fs.existsSync(path.join(repo, f))) {
      check(
        'built package and fixtures present',
        false,
        `${f} missing: npm run build && bash scripts/make-test-fixtures`,
      );
      return;
    }
  }
  const work = process.env.CONSUMER_APP ? null : fs.mkdtempSync(path.join(os.tmpdir(), 'lipsync-consumer-'));
  const cleanup = () => {
    if (!work) return;
    if (process.env.CONSUMER_KEEP === '1') console.log(`kept ${work}`);
    else fs.rmSync(work, { recursive: true, force: true });
  };
  try {
    // CONSUMER_APP=<dir> reuses an app set up before (debugging); its src/main.ts is rewritten from README.md.
    const app = work ? await setUpApp(blocks, work) : path.resolve(process.env.CONSUMER_APP);
    if (!app) return;
    fs.writeFileSync(path.join(app, 'src/main.ts'), blocks.get('src/main.ts'));
    fs.copyFileSync(
      path.join(repo, 'test/consumer/consumerProbe.ts'),
      path.join(app, 'src/consumerProbe.ts'),
    );
    fs.writeFileSync(
      path.join(app, 'src/consumerEntry.ts'),
      "import './consumerProbe.ts';\nimport './main.ts';\n",
    );
    const html = fs
      .readFileSync(path.join(app, 'index.html'), 'utf8')
      .replace('/src/consumerEntry.ts', '/src/main.ts');
    if (!check('index.html loads /src/main.ts', html.includes('/src/main.ts'))) return;
    fs.writeFileSync(path.join(app, 'index.html'), html.replace('/src/main.ts', '/src/consumerEntry.ts'));
    const vite = shellCommands(blocks.get('vite'));
    if (
      !check(
        'README builds with `npm run build` and serves with `npm run dev`',
        vite.includes('npm run build') && vite.includes('npm run dev'),
      )
    )
      return;

    if (MODES.includes('vite-build')) {
      if (check('vite-build: npm run build (tsc + vite build)', (await sh('npm run build', app)) === 0)) {
        await serveAndCheck(
          'vite-build',
          (port) => `npx vite preview --host 127.0.0.1 --port ${port} --strictPort`,
          app,
        );
      }
    }
    if (MODES.includes('vite-dev')) {
      await serveAndCheck(
        'vite-dev',
        (port) => `npm run dev -- --host 127.0.0.1 --port ${port} --strictPort`,
        app,
      );
    }
    if (MODES.includes('esbuild-9.0')) {
      const pin = `npm install @babylonjs/core@${LOWER_BOUND} @babylonjs/loaders@${LOWER_BOUND}`;
      if (!check(`esbuild-9.0: ${pin}`, (await sh(pin, app)) === 0)) return;
      check(
        `esbuild-9.0: tsc type-checks the app against @babylonjs/core ${LOWER_BOUND}`,
        (await sh('npx tsc --noEmit', app)) === 0,
      );
      const commands = shellCommands(blocks.get('esbuild'));
      const server = commands.pop();
      let built = true;
      for (const command of commands) {
        if ((await sh(command.replace('src/main.ts', 'src/consumerEntry.ts'), app)) !== 0)
          built = check(`esbuild-9.0: ${command}`, false);
      }
      if (
        check(
          'esbuild-9.0: the README esbuild commands build www/',
          built && !!server?.includes('--servedir'),
        )
      ) {
        await serveAndCheck('esbuild-9.0', (port) => `${server} --serve=127.0.0.1:${port}`, app);
      }
    }
  } finally {
    cleanup();
  }
}

try {
  await main();
} catch (e) {
  check('consumer test ran to the end', false, e instanceof Error ? (e.stack ?? e.message) : String(e));
}
console.log(`consumer test took ${secs()}`);
console.log(`${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`);
process.exitCode = counts.failed > 0 ? 1 : 0;
