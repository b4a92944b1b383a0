/**
 * @file The voice-agent example page: the demo avatar lip-synced to speech streamed over a WebSocket by
 * a stand-in realtime voice agent (server.mjs), with an interrupt button. `bash scripts/voice-agent`.
 */
import { Engine } from '@babylonjs/core/Engines/engine.js';
import { Scene } from '@babylonjs/core/scene.js';
import { PerceptualLipSyncBehavior } from '../../src/index.ts';
import { createDemoAvatar } from '../avatar/createDemoAvatar.ts';
import { createDemoStage } from '../avatar/createDemoStage.ts';

const $ = (id: string): HTMLElement => document.getElementById(id)!;
const status = (text: string): void => {
  $('status').textContent = text;
};

const canvas = $('renderCanvas') as HTMLCanvasElement;
const engine = new Engine(canvas, true);
const scene = new Scene(engine);
createDemoStage(scene, canvas);
const avatar = createDemoAvatar(scene);
engine.runRenderLoop(() => scene.render());
window.addEventListener('resize', () => engine.resize());

// The assets (worker, worklet, onnxruntime-web, models) next to the bundle, as `perceptual-lipsync assets` lays them out.
const lipSync = new PerceptualLipSyncBehavior({ assetBaseUrl: new URL('../dist/', location.href).href });
avatar.face.addBehavior(lipSync);
lipSync.onErrorObservable.add((e) => status(`${e.name}: ${e.message}`));

const socket = new WebSocket(new URL('/agent', location.href.replace(/^http/, 'ws')));
socket.binaryType = 'arraybuffer';
let started: Promise<void> | null = null;
socket.onmessage = (e: MessageEvent<ArrayBuffer | string>) => {
  if (typeof e.data !== 'string') {
    // PCM16 little-endian bytes, straight from the WebSocket frame.
    lipSync.pushAudio(e.data);
    return;
  }
  const msg = JSON.parse(e.data) as { type: string; sampleRateHz?: number };
  if (msg.type === 'format') {
    // Start once the agent says what it sends; chunks pushed while the models load play when ready.
    started = lipSync.startAsync({ kind: 'pcmStream', sampleRateHz: msg.sampleRateHz! });
    started.then(
      () => status(`Ready (${msg.sampleRateHz} Hz PCM16). Ask the agent something.`),
      (err: Error) => status(`Could not start: ${err.message}`),
    );
  } else if (msg.type === 'done') status('The agent finished its answer.');
};
socket.onclose = () => status('The agent hung up (is server.mjs running?).');

$('say').addEventListener('click', async () => {
  await lipSync.audioContext?.resume(); // the autoplay policy wants a gesture
  await started;
  socket.send(JSON.stringify({ type: 'say' }));
  status('The agent is answering…');
});
$('interrupt').addEventListener('click', () => {
  // Cut the sound and the lips here at once; tell the agent to stop sending.
  lipSync.interrupt();
  socket.send(JSON.stringify({ type: 'interrupt' }));
  status('Interrupted.');
});
