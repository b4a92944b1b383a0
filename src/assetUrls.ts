/**
 * URLs of the worker and worklet bundles, and why one failed to load. The `new URL('./x.js', import.meta.url)` pattern lives in a
 * file at the root of src/ so that it resolves the same way from source (src/x.ts beside it) and from
 * the build (dist/x.js beside dist/index.js); bundlers such as Vite and webpack also recognise it and
 * emit the files.
 */

/** URL of the inference worker bundle (`dist/worker.js`). */
export function defaultWorkerUrl(): URL {
  return new URL('./worker.js', import.meta.url);
}

/** URL of the capture AudioWorklet bundle (`dist/capture-processor.js`). */
export function defaultCaptureProcessorUrl(): URL {
  return new URL('./capture-processor.js', import.meta.url);
}

/** How long the load-failure diagnosis waits for the server, ms. */
const DIAGNOSIS_TIMEOUT_MS = 3000;

/**
 * Explains why a worker or worklet script failed to load. Browsers report only "script error" (a plain
 * `Event` on the Worker, an `AbortError` from `addModule`); issue #16 met a Vite dev server answering
 * 404 for `node_modules/.vite/deps/worker.js`, where pre-bundling had moved the library away from its
 * worker. Fetches the URL once and describes what came back.
 * @param url defines the script URL
 * @returns a description (`HTTP 404 Not Found for <url>`, `<url> answered HTML …`), or '' when the
 * script is served as JavaScript (the failure is inside the script)
 */
export async function describeScriptLoadFailureAsync(url: string | URL): Promise<string> {
  const href = String(url);
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), DIAGNOSIS_TIMEOUT_MS);
  try {
    const res = await fetch(href, { cache: 'no-store', signal: abort.signal });
    void res.body?.cancel().catch(() => undefined);
    if (!res.ok) return `HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''} for ${href}`;
    const type = res.headers.get('content-type') ?? '';
    if (/^\s*text\/html\b/i.test(type))
      return `${href} answered an HTML page (a fallback page?), not the script`;
    if (type && !/javascript|ecmascript/i.test(type)) return `${href} is served as ${type}, not JavaScript`;
    return '';
  } catch (e) {
    return `${href} could not be fetched (${e instanceof Error ? e.message : String(e)})`;
  } finally {
    clearTimeout(timer);
  }
}

/** What to do when the worker or worklet script is not where the library looks. */
export const ASSET_SETUP_HINT =
  "Serve the package's dist/ files there: run `npx perceptual-lipsync assets <dir>` into a folder your server " +
  'serves as is (public/ in Vite) and pass its URL as option assetBaseUrl (README, "Quick start with Vite").';
