#!/usr/bin/env node
// The demo with its DEFAULT settings, headless (issue #13: "the demo's default provider shows moving lips
// headless"). Builds it as the README says (`NO_SERVE=1 bash scripts/demo`), serves examples/ with
// scripts/serve.mjs, opens it in Debian chromium with SwiftShader (WebGPU exposed, but a CPU adapter), clicks
// the first clip without touching any setting, and checks what a user would see: the state reaches
// `running`, the lips move and the mouth opens, and the HUD's backend is the one the telemetry reports with its
// reason (wasm, "software-adapter", on SwiftShader). Ends with `N passed, N failed, N skipped`.
// Env: CHROME_PATH (default /usr/bin/chromium), DEMO_SKIP_BUILD=1 (reuse examples/dist).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromiumAsync, serveExamplesAsync } from '../../scripts/demoBrowser.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** Inner-lip opening (lips-v1 points 15 and 19) that counts as an open mouth, mm. */
const OPEN_MM = 6;
const counts = { passed: 0, failed: 0, skipped: 0 };
function check(name, ok, detail = '') {
  counts[ok ? 'passed' : 'failed']++;
  console.log(`${ok ? 'ok    ' : 'FAILED'} ${name}${detail ? `: ${detail}` : ''}`);
  return ok;
}

function run(command, env = {}) {
  return new Promise((resolve) => {
    const p = spawn('bash', ['-c', command], {
      cwd: repo,
      env: { ...process.env, ...env },
      stdio: 'inherit',
    });
    p.on('exit', (code) => resolve(code ?? 1));
  });
}

async function freePort() {
  const s = net.createServer();
  await new Promise((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address();
  await new Promise((r) => s.close(r));
  return port;
}

async function main() {
  if (process.env.DEMO_SKIP_BUILD !== '1') {
    if (
      !check(
        'NO_SERVE=1 bash scripts/demo builds the demo',
        (await run('bash scripts/demo', { NO_SERVE: '1' })) === 0,
      )
    )
      return;
  }
  if (
    !check(
      'the demo has the shipped models',
      fs.existsSync(path.join(repo, 'examples/dist/models/manifest.json')),
    )
  )
    return;
  const port = await freePort();
  const server = await serveExamplesAsync(port);
  const browser = await launchChromiumAsync();
  try {
    const page = await browser.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(`exception: ${e.message}`));
    page.on(
      'console',
      (m) => m.type() === 'error' && !/status of 404/.test(m.text()) && errors.push(m.text()),
    );
    page.on(
      'response',
      (r) =>
        r.status() >= 400 &&
        !r.url().endsWith('/favicon.ico') &&
        errors.push(`HTTP ${r.status()} ${r.url()}`),
    );
    await page.goto(`http://127.0.0.1:${port}/`, { waitUntil: 'load' });
    await page.waitForFunction('window.demo !== undefined', { timeout: 60_000 });
    // SwiftShader renders on the CPU: a smaller canvas keeps the frame rate high enough to see the lips.
    await page.evaluate(() => window.demo.scene.getEngine().setHardwareScalingLevel(4));
    await page.waitForFunction('document.querySelectorAll("#clips button").length > 0', { timeout: 20_000 });
    const provider = await page.evaluate(() => document.getElementById('epSelect')?.value);
    check(
      'the provider setting is the default "WebGPU, falling back to wasm"',
      provider === 'webgpu,wasm',
      provider,
    );
    const r = await page.evaluate(
      (openMm) =>
        new Promise((resolve) => {
          const t0 = performance.now();
          const out = {
            states: [],
            runningMs: null,
            movedMs: null,
            openMs: null,
            maxMm: 0,
            backend: null,
            reason: null,
            adapter: null,
          };
          const done = () => resolve(out);
          setTimeout(done, 30_000);
          navigator.gpu
            ?.requestAdapter()
            .then(
              (a) =>
                (out.adapter = a
                  ? a.info?.isFallbackAdapter
                    ? 'fallback'
                    : `${a.info?.vendor} ${a.info?.architecture}`
                  : 'none'),
            )
            .catch(() => (out.adapter = 'error'));
          const hook = () => {
            const b = window.demo.lipSync.behavior;
            if (!b) return void setTimeout(hook, 10);
            b.onStateChangedObservable.add(({ state }) => {
              out.states.push(state);
              if (state === 'running' && out.runningMs === null) out.runningMs = performance.now() - t0;
            });
            b.onTelemetryObservable.add((s) => {
              out.backend = s.backend;
              out.reason = s.backendReason;
              if (out.openMs !== null) done();
            });
            b.onFrameObservable.add((f) => {
              const p = f.points;
              const mm = 1000 * Math.hypot(p[45] - p[57], p[46] - p[58], p[47] - p[59]);
              out.maxMm = Math.max(out.maxMm, mm);
              // The first frame shows rest (the state just became running); "moved" is 1 mm away from it.
              out.restMm ??= mm;
              if (Math.abs(mm - out.restMm) > 1 && out.movedMs === null) out.movedMs = performance.now() - t0;
              if (mm >= openMm && out.openMs === null) out.openMs = performance.now() - t0;
              if (out.openMs !== null && out.backend !== null) done();
            });
          };
          hook();
          document.querySelectorAll('#clips button')[0].click();
        }),
      OPEN_MM,
    );
    const hud = await page.evaluate(() => document.getElementById('stats')?.textContent ?? '');
    console.log(`  demo: ${JSON.stringify(r)}`);
    console.log(`  HUD: ${hud.replace(/\s+/g, ' ')}`);
    check(
      'clicking a clip with default settings reaches state running',
      r.runningMs !== null,
      r.states.join(' → '),
    );
    // How soon is not asserted here: SwiftShader renders this PBR scene at a few frames per second on a busy
    // 2-core machine (seen: 0.4 to 4.3 s). test/browser/models/providerGuard.test.ts asserts the 3 s bound.
    const afterRunning = r.movedMs !== null && r.runningMs !== null ? r.movedMs - r.runningMs : null;
    check(
      'the lips move',
      afterRunning !== null,
      afterRunning === null ? 'never' : `${afterRunning.toFixed(0)} ms after running`,
    );
    check(
      `the mouth opens (≥ ${OPEN_MM} mm) during the clip`,
      r.openMs !== null,
      `widest ${r.maxMm.toFixed(1)} mm`,
    );
    check(
      'the telemetry reports the backend and its reason',
      !!r.backend && !!r.reason,
      `${r.backend} (${r.reason})`,
    );
    if (r.adapter === 'fallback' || /swiftshader/i.test(String(r.adapter))) {
      check(
        'a software WebGPU adapter is not used: wasm, reason software-adapter',
        r.backend === 'wasm' && r.reason === 'software-adapter',
        `adapter ${r.adapter}`,
      );
    } else {
      console.log(`  (adapter ${r.adapter}: not SwiftShader, so the software-adapter check does not apply)`);
      counts.skipped++;
    }
    check(
      'the HUD shows the backend the telemetry reports',
      r.backend !== null && new RegExp(`backend\\s+${r.backend}\\b`).test(hud),
      hud.split('\n')[1],
    );
    check('no console error, failed request or page exception', errors.length === 0, errors.join(' | '));
  } finally {
    await browser.close();
    server.kill();
  }
}

try {
  await main();
} catch (e) {
  check('demo test ran to the end', false, e instanceof Error ? (e.stack ?? e.message) : String(e));
}
console.log(`${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`);
process.exit(counts.failed ? 1 : 0);
