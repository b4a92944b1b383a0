#!/usr/bin/env node
// Tiny static server for the demo: serves a folder (default examples/) with cross-origin isolation
// headers (SharedArrayBuffer and threaded wasm need them) and the MIME types browsers insist on
// (application/wasm for streaming compilation, text/javascript for modules and workers).
// Usage: node scripts/serve.mjs [root]   (PORT env, default 8080)
// Also a module: createStaticServer(root) is the same server, not listening (examples/voice-agent adds its
// WebSocket to it).
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const types = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.map': 'application/json',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.onnx': 'application/octet-stream',
  '.bin': 'application/octet-stream',
  '.wav': 'audio/wav',
  '.mp3': 'audio/mpeg',
  '.ogg': 'audio/ogg',
  '.glb': 'model/gltf-binary',
  '.gltf': 'model/gltf+json',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.css': 'text/css; charset=utf-8',
};

/**
 * The static server for `root`, not yet listening.
 * @param {string} root the folder to serve
 * @returns {http.Server}
 */
export function createStaticServer(root) {
  return http.createServer((req, res) => {
    const headers = {
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Embedder-Policy': 'require-corp',
      'Cross-Origin-Resource-Policy': 'same-origin',
      'Cache-Control': 'no-cache',
    };
    let rel;
    try {
      rel = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
    } catch {
      res.writeHead(400, headers).end('bad request');
      return;
    }
    let file = path.join(root, path.normalize(rel));
    if (!file.startsWith(root)) {
      res.writeHead(403, headers).end('forbidden');
      return;
    }
    if (fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, 'index.html');
    if (!fs.existsSync(file) || !fs.statSync(file).isFile()) {
      res.writeHead(404, { ...headers, 'Content-Type': 'text/plain' }).end(`not found: ${rel}`);
      return;
    }
    const type = types[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
    res.writeHead(200, { ...headers, 'Content-Type': type, 'Content-Length': fs.statSync(file).size });
    if (req.method === 'HEAD') res.end();
    else fs.createReadStream(file).pipe(res);
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const root = path.resolve(process.argv[2] ?? 'examples');
  const port = Number(process.env.PORT ?? 8080);
  const server = createStaticServer(root);
  server.on('error', (e) => {
    console.error(`serve.mjs: cannot listen on port ${port}: ${e.message} (set PORT to another port)`);
    process.exit(1);
  });
  server.listen(port, () => {
    console.log(`Serving ${path.relative(process.cwd(), root) || '.'} at http://localhost:${port}/`);
  });
}
