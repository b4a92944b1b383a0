/**
 * Fetches a model or manifest file with retries and exponential back-off, and checks its sha256
 * when the manifest gives one (so a stale cache or a wrong file fails loudly, not silently).
 */
import { ModelLoadError } from '../errors.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * @param url defines the file's URL (or a `file://`/path in Node through the global fetch)
 * @param attempts defines how many tries before giving up (≥ 1); waits 250 ms, 500 ms, … between them
 * @param sha256 defines the expected hex digest, when known
 * @throws ModelLoadError on HTTP errors after the last attempt, or on a digest mismatch
 */
export async function loadModelBytesAsync(url: string, attempts = 3, sha256?: string): Promise<Uint8Array> {
  let last = '';
  for (let i = 0; i < Math.max(1, attempts); i++) {
    if (i > 0) await sleep(250 * 2 ** (i - 1));
    try {
      // A retry must reach the server: a cached copy of the error (Chromium served a 503 from its
      // cache to every retry in our fault test) would fail each attempt the same way.
      const res = await fetch(url, i > 0 ? { cache: 'reload' } : undefined);
      if (!res.ok) {
        last = `HTTP ${res.status} ${res.statusText}`;
        if (res.status === 404) break; // a missing file will not appear by retrying
        continue;
      }
      const bytes = new Uint8Array(await res.arrayBuffer());
      if (answeredHtml(res.headers.get('content-type'), bytes)) {
        // A dev server's SPA fallback (Vite) answers a missing file with index.html and 200: issue #16
        // measured "is not JSON: Unexpected token '<'" for a wrong manifest URL. Retrying cannot help.
        throw new ModelLoadError(
          `Could not fetch ${url}: not found (the server answered HTML: check the URL; option modelManifestUrl or assetBaseUrl).`,
          { recoverable: true },
        );
      }
      if (sha256) await checkDigestAsync(bytes, sha256, url);
      return bytes;
    } catch (e) {
      if (e instanceof ModelLoadError) throw e;
      last = e instanceof Error ? e.message : String(e);
    }
  }
  throw new ModelLoadError(`Could not fetch ${url}: ${last}. Check the URL (option modelManifestUrl) and that the server serves it.`);
}

const HTML_START = /^\s*<(!doctype html|html|head|body|!--)/i;

/**
 * True when a response is an HTML page rather than a model or manifest: an HTML content type, or bytes
 * that open like one (servers that send no type). ONNX (protobuf) and JSON never start with `<`.
 * @param contentType defines the response's Content-Type header, or null
 * @param bytes defines the body
 * @returns whether the server answered HTML
 */
export function answeredHtml(contentType: string | null, bytes: Uint8Array): boolean {
  if (contentType && /^\s*text\/html\b/i.test(contentType)) return true;
  let head = '';
  for (let i = 0; i < Math.min(64, bytes.length); i++) head += String.fromCharCode(bytes[i]);
  return HTML_START.test(head.replace(/^\uFEFF|^\xEF\xBB\xBF/, ''));
}

async function checkDigestAsync(bytes: Uint8Array, expected: string, url: string): Promise<void> {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) return; // insecure context: nothing to check with
  const digest = new Uint8Array(await subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
  const hex = Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
  if (hex !== expected.toLowerCase()) {
    throw new ModelLoadError(`${url} does not match the manifest (sha256 ${hex}, expected ${expected}). Re-deploy models/ together.`);
  }
}
