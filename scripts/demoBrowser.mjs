// What the demo's headless checks share (scripts/screenshot-demo.mjs, test/demo/run.mjs): the demo served
// by scripts/serve.mjs, and Debian chromium launched headless with SwiftShader (WebGL2 and WebGPU on the
// CPU), a fake microphone and no user gesture needed for audio.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import puppeteer from 'puppeteer-core';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Serves examples/ on `port` and resolves once it listens.
 * @returns the server process (kill it when done)
 */
export async function serveExamplesAsync(port) {
  const server = spawn(
    process.execPath,
    [path.join(repo, 'scripts/serve.mjs'), path.join(repo, 'examples')],
    {
      env: { ...process.env, PORT: String(port) },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  await new Promise((resolve, reject) => {
    server.stdout.on('data', (d) => String(d).includes('http://') && resolve(undefined));
    server.on('exit', (code) => reject(new Error(`serve.mjs exited with ${code}`)));
  });
  return server;
}

/** Launches headless chromium (CHROME_PATH, default /usr/bin/chromium) as the demo checks need it. */
export function launchChromiumAsync() {
  return puppeteer.launch({
    executablePath: process.env.CHROME_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--enable-unsafe-webgpu',
      '--enable-unsafe-swiftshader',
      '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream',
      '--autoplay-policy=no-user-gesture-required',
    ],
  });
}
