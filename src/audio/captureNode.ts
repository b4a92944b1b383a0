/**
 * Owns the capture AudioWorkletNode: loads the processor module once per AudioContext, and hands the
 * 16 kHz chunk stream to the worker through a MessageChannel so audio never touches the main thread.
 */
import { ASSET_SETUP_HINT, describeScriptLoadFailureAsync } from '../assetUrls.ts';
import { AudioSourceError } from '../errors.ts';
import { CAPTURE_PROCESSOR_NAME } from './captureProcessorName.ts';
const loaded = new WeakMap<BaseAudioContext, Promise<void>>();

/** A running capture tap. Connect a source to `node`; give `port` to the worker; `dispose()` when done. */
export interface ICaptureNode {
  readonly node: AudioWorkletNode;
  /** The worker's end of the chunk channel (transfer it). */
  readonly port: MessagePort;
  /** Opens a fresh channel to the worklet (after a worker restart) and returns the worker's end. */
  renewPort(): MessagePort;
  dispose(): void;
}

/**
 * @param context defines the AudioContext to capture in
 * @param processorUrl defines the URL of `capture-processor.js`
 * @throws AudioSourceError when AudioWorklet is unavailable or the module fails to load
 */
export async function createCaptureNodeAsync(
  context: BaseAudioContext,
  processorUrl: URL | string,
): Promise<ICaptureNode> {
  if (!context.audioWorklet) {
    throw new AudioSourceError(
      'AudioWorklet is not available: a secure context (https or localhost) is required.',
    );
  }
  let ready = loaded.get(context);
  if (!ready) {
    ready = context.audioWorklet.addModule(processorUrl);
    loaded.set(context, ready);
    ready.catch(() => loaded.delete(context));
  }
  try {
    await ready;
  } catch (e) {
    const why = await describeScriptLoadFailureAsync(processorUrl);
    throw new AudioSourceError(
      `Could not load the capture worklet from ${String(processorUrl)}` +
        (why ? `: ${why}. ${ASSET_SETUP_HINT}` : `: ${e instanceof Error ? e.message : String(e)}.`),
      { cause: e },
    );
  }
  const node = new AudioWorkletNode(context, CAPTURE_PROCESSOR_NAME, {
    numberOfInputs: 1,
    numberOfOutputs: 1,
    outputChannelCount: [1],
    channelCountMode: 'max',
  });
  const connect = (): MessagePort => {
    const channel = new MessageChannel();
    node.port.postMessage({ type: 'connect', port: channel.port1 }, [channel.port1]);
    return channel.port2;
  };
  const port = connect();
  // The node outputs silence; connecting it to the destination keeps the graph pulling it.
  node.connect(context.destination);
  let disposed = false;
  return {
    node,
    port,
    renewPort: connect,
    dispose() {
      if (disposed) return;
      disposed = true;
      node.port.postMessage({ type: 'stop' });
      node.disconnect();
      node.port.close();
    },
  };
}
