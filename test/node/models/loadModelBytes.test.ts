// loadModelBytesAsync against a real local HTTP server (Node's global fetch), including a dev server's SPA
// fallback that answers a missing file with index.html and 200 (issue #16).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ModelLoadError } from '../../../src/errors.ts';
import { answeredHtml, loadModelBytesAsync } from '../../../src/models/loadModelBytes.ts';

const INDEX_HTML = '<!DOCTYPE html>\n<html><head><script type="module" src="/src/main.ts"></script></head></html>';

describe('loadModelBytesAsync', () => {
  let server: Server;
  let base = '';
  const hits = new Map<string, number>();
  before(async () => {
    server = createServer((req, res) => {
      const path = req.url ?? '/';
      hits.set(path, (hits.get(path) ?? 0) + 1);
      if (path === '/models/manifest.json') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"layout":"lips-v1"}');
      } else if (path.startsWith('/untyped/')) {
        res.writeHead(200); // no content type, HTML body
        res.end(INDEX_HTML);
      } else {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }); // SPA fallback
        res.end(INDEX_HTML);
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => server.close());

  test('a served file comes back as bytes', async () => {
    const bytes = await loadModelBytesAsync(`${base}/models/manifest.json`, 1);
    assert.equal(new TextDecoder().decode(bytes), '{"layout":"lips-v1"}');
  });

  test('an SPA fallback page (text/html, 200) is "not found", not a JSON parse error, and is not retried', async () => {
    await assert.rejects(
      loadModelBytesAsync(`${base}/wrong/manifest.json`, 3),
      (e: unknown) =>
        e instanceof ModelLoadError &&
        e.message.includes('/wrong/manifest.json') &&
        e.message.includes('not found (the server answered HTML: check the URL'),
    );
    assert.equal(hits.get('/wrong/manifest.json'), 1, 'one request');
  });

  test('HTML without a content type is recognised by its first bytes', async () => {
    await assert.rejects(loadModelBytesAsync(`${base}/untyped/generator.onnx`, 1), /the server answered HTML/);
  });

  test('answeredHtml: content types and openings', () => {
    const b = (s: string) => new TextEncoder().encode(s);
    assert.equal(answeredHtml('text/html', b('{}')), true);
    assert.equal(answeredHtml(null, b('\uFEFF  <html lang="en">')), true);
    assert.equal(answeredHtml(null, b('<!doctype html>')), true);
    assert.equal(answeredHtml('application/json', b('{"a": "<html>"}')), false);
    assert.equal(answeredHtml('application/octet-stream', new Uint8Array([0x08, 0x07, 0x12, 0x3c])), false);
    assert.equal(answeredHtml(null, new Uint8Array(0)), false);
  });
});
