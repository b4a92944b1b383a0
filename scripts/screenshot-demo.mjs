#!/usr/bin/env node
// Screenshot of the built demo for the README: serves examples/ (scripts/serve.mjs), opens it in headless
// Debian chromium (SwiftShader WebGL2, fake microphone), plays a bundled clip so the HUD has data, and
// saves docs/demo-screenshot.png. Build first: NO_SERVE=1 bash scripts/demo.
// Env: CHROME_PATH (default /usr/bin/chromium), PORT (default 8181), CLIP (index into clips.json, default 0),
// EP (execution providers, default wasm), WAIT_MS (time to let the clip play before the shot), OUT (default docs/demo-screenshot.png),
// HW_SCALE (render at 1/HW_SCALE resolution, default 2: SwiftShader is slow).
import fs from 'node:fs';
import path from 'node:path';
import { launchChromiumAsync, serveExamplesAsync } from './demoBrowser.mjs';

const port = Number(process.env.PORT ?? 8181);
const outFile = path.resolve(process.env.OUT ?? 'docs/demo-screenshot.png');
const clipIndex = Number(process.env.CLIP ?? 0);
if (!fs.existsSync('examples/dist/main.js')) {
  console.error('examples/dist/main.js is missing: run NO_SERVE=1 bash scripts/demo first.');
  process.exit(1);
}

const server = await serveExamplesAsync(port);
const browser = await launchChromiumAsync();
try {
  const page = await browser.newPage();
  await page.setViewport({ width: 1120, height: 640 });
  page.on('console', (m) => m.type() === 'error' && console.log('page error:', m.text()));
  page.on('pageerror', (e) => console.log('page exception:', e.message));
  page.on('response', (r) => r.status() >= 400 && console.log(`HTTP ${r.status()} ${r.url()}`));
  await page.goto(`http://localhost:${port}/`, { waitUntil: 'load' });
  await page.waitForFunction('window.demo !== undefined', { timeout: 60_000 });
  await page.evaluate(() => window.demo.scene.whenReadyAsync());
  // SwiftShader renders the PBR scene on the CPU: at full size a frame can take most of a second, and
  // the lips, driven per rendered frame, would barely move. HW_SCALE renders at 1/HW_SCALE resolution.
  await page.evaluate(
    (scale) => window.demo.scene.getEngine().setHardwareScalingLevel(scale),
    Number(process.env.HW_SCALE ?? 2),
  );
  // Play a clip so the HUD has data; without models/ there is nothing to show, so the still avatar is shot.
  const haveModels = fs.existsSync('examples/dist/models/manifest.json');
  if (!haveModels)
    console.log('examples/dist/models/manifest.json missing: screenshot without a clip playing');
  await page
    .waitForFunction('document.querySelectorAll("#clips button").length > 0', { timeout: 10_000 })
    .catch(() => {});
  const clicked =
    haveModels &&
    (await page.evaluate(
      (i, ep_) => {
        const b = document.querySelectorAll('#clips button')[i];
        // SwiftShader's WebGPU is slow to start here (still loading after 10 s), so shots use wasm unless EP says otherwise.
        const ep = document.getElementById('epSelect');
        if (ep instanceof HTMLSelectElement) ep.value = ep_;
        if (b instanceof HTMLButtonElement) b.click();
        return b?.textContent ?? null;
      },
      clipIndex,
      process.env.EP ?? 'wasm',
    ));
  console.log(clicked ? `playing ${clicked}` : 'no clips to play');
  const waitMs = Number(process.env.WAIT_MS ?? (haveModels ? 4500 : 1500));
  // Shoot on an open mouth: WAIT_MS after the behavior runs (so the HUD charts have history), at the first
  // rendered frame whose inner lips are ≥ 6 mm apart (lips-v1 points 15 and 19), or give up 40 s later.
  const aperture = await page.evaluate(
    (wait, clip) =>
      new Promise((resolve) => {
        let t0 = Infinity; // set when the behavior runs: WAIT_MS of history in the HUD charts
        let best = 0;
        let obs = null;
        // SwiftShader may render only 2-4 fps here: a clip can end before a rendered frame catches an
        // open mouth, so it is replayed (a few times) until one does.
        let replays = 0;
        const replay = setInterval(() => {
          if (window.demo.lipSync.behavior?.state !== 'idle' || replays >= 4) return;
          replays++;
          document.querySelectorAll('#clips button')[clip]?.click();
        }, 500);
        const done = (v) => {
          clearInterval(replay);
          obs?.remove();
          resolve(v);
        };
        // The demo re-creates its behavior when a construction-time setting changes: watch the running one.
        const attach = () => {
          const b = window.demo.lipSync.behavior;
          if (b?.state !== 'running') return void setTimeout(attach, 50);
          t0 = performance.now();
          setTimeout(() => done(best), wait + 40000);
          obs = b.onFrameObservable.add((f) => {
            const p = f.points;
            const mm = 1000 * Math.hypot(p[45] - p[57], p[46] - p[58], p[47] - p[59]);
            if (performance.now() - t0 < wait) return;
            best = Math.max(best, mm);
            if (mm < 6) return;
            // Freeze the canvas on this frame: the screenshot comes a few hundred ms later.
            window.demo.scene.onAfterRenderObservable.addOnce(() =>
              window.demo.scene.getEngine().stopRenderLoop(),
            );
            done(mm);
          });
        };
        attach();
        setTimeout(() => done(best), 90_000); // never ran
      }),
    waitMs,
    clipIndex,
  );
  console.log(`inner-lip aperture at the shot: ${Number(aperture).toFixed(1)} mm`);
  const state = await page.evaluate(() => ({
    message: document.getElementById('message')?.textContent,
    stats: document.getElementById('stats')?.textContent,
  }));
  console.log(state.message);
  console.log(state.stats);
  fs.mkdirSync(path.dirname(outFile), { recursive: true });
  await page.screenshot({ path: outFile });
  console.log(
    `saved ${path.relative(process.cwd(), outFile)} (${(fs.statSync(outFile).size / 1024).toFixed(0)} KB)`,
  );
} finally {
  await browser.close();
  server.kill();
}
