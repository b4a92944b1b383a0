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
      if (sha256) await checkDigestAsync(bytes, sha256, url);
      return bytes;
    } catch (e) {
      if (e instanceof ModelLoadError) throw e;
      last = e instanceof Error ? e.message : String(e);
    }
  }
  throw new ModelLoadError(`Could not fetch ${url}: ${last}. Check the URL (option modelManifestUrl) and that the server serves it.`);
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
