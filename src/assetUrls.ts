/**
 * URLs of the worker and worklet bundles. The `new URL('./x.js', import.meta.url)` pattern lives in a
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
