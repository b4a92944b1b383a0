/**
 * The layout of the folder `perceptual-lipsync assets <dir>` writes and the option `assetBaseUrl` reads:
 * one place for both, so the CLI copies exactly what the browser fetches (issue #16: copying "the
 * .wasm files" put 86 MB into an app's dist/ while one 28 MB binary is fetched).
 *
 * ```
 * <dir>/worker.js                              inference worker (onnxruntime-web and its glue inlined)
 * <dir>/capture-processor.js                   capture AudioWorklet
 * <dir>/ort-wasm-simd-threaded.jsep.wasm       the onnxruntime-web binary the worker fetches
 * <dir>/ort-wasm-simd-threaded.jsep.mjs        its glue, fetched only with numThreads > 1
 * <dir>/models/manifest.json, *.onnx, …        the models (with MODEL_CARD.md and NOTICE)
 * ```
 */

/** Path of the inference worker bundle inside the asset folder. */
export const ASSET_WORKER_FILE = 'worker.js';
/** Path of the capture worklet bundle inside the asset folder. */
export const ASSET_CAPTURE_PROCESSOR_FILE = 'capture-processor.js';
/** Folder of the models inside the asset folder. */
export const ASSET_MODELS_DIR = 'models/';
/** Path of the models' manifest inside the asset folder. */
export const ASSET_MODEL_MANIFEST_FILE = `${ASSET_MODELS_DIR}manifest.json`;
/**
 * The onnxruntime-web binary our worker fetches. The worker bundles `onnxruntime-web`'s default browser
 * build (`ort.bundle.min.mjs`: JSEP, WebGPU + wasm, with the `.mjs` glue embedded), which loads this file.
 */
export const ORT_WASM_FILE = 'ort-wasm-simd-threaded.jsep.wasm';
/**
 * The glue of `ORT_WASM_FILE`. Embedded in our worker bundle; onnxruntime-web imports it from `wasmPaths`
 * only for multi-threaded wasm (its threads start from the glue's URL).
 */
export const ORT_WASM_GLUE_FILE = 'ort-wasm-simd-threaded.jsep.mjs';
