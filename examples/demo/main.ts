/**
 * @file The demo page: the code-made avatar in a lit scene, lip-synced to the microphone or to bundled
 * speech clips, with live telemetry; or your own `.glb` avatar. Built and served by `bash scripts/demo`.
 */
import { Engine } from '@babylonjs/core/Engines/engine.js';
import { LoadAssetContainerAsync } from '@babylonjs/core/Loading/sceneLoader.js';
import type { AssetContainer } from '@babylonjs/core/assetContainer.js';
import type { AbstractMesh } from '@babylonjs/core/Meshes/abstractMesh.js';
import { Scene } from '@babylonjs/core/scene.js';
import '@babylonjs/loaders/glTF/2.0/index.js';
import { createDemoAvatar, exportDemoAvatarGlbAsync } from '../avatar/createDemoAvatar.ts';
import { createDemoStage } from '../avatar/createDemoStage.ts';
import { DemoHud } from './hud.ts';
import { DemoLipSync } from './wireLipSync.ts';
import type { IDemoLipSyncSettings } from './wireLipSync.ts';

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
const message = (text: string, isError = false): void => {
  $('message').textContent = text;
  $('message').className = isError ? 'error' : '';
};

// Scene.
const canvas = $<HTMLCanvasElement>('renderCanvas');
const engine = new Engine(canvas, true, { preserveDrawingBuffer: true, stencil: true });
const scene = new Scene(engine);
const stage = createDemoStage(scene, canvas);
const avatar = createDemoAvatar(scene);
window.addEventListener('resize', () => engine.resize());

// Audio: one context for the behavior and our playback nodes; an analyser taps the speech for the HUD.
const audioContext = new AudioContext();
const analyser = audioContext.createAnalyser();
analyser.fftSize = 1024;
const hud = new DemoHud(analyser, $('stats'));
engine.runRenderLoop(() => {
  scene.render();
  hud.tick(engine.getFps());
});

const settings = (): IDemoLipSyncSettings => ({
  executionProviders: $<HTMLSelectElement>('epSelect').value.split(',') as ('webgpu' | 'wasm')[],
  intensity: Number($<HTMLInputElement>('intensity').value),
  smoothingMs: Number($<HTMLInputElement>('smoothing').value),
  audioDelayCompensation: $<HTMLInputElement>('delayComp').checked,
});
const lipSync = new DemoLipSync(audioContext, {
  onState: (s) => hud.setState(s),
  onError: (e) => message(`${e.name}: ${e.message}`, true),
  onFrame: (points) => hud.frame(points),
  onTelemetry: (t) => hud.telemetry(t),
});
const rig = lipSync.attach(avatar.face, settings());
message(rig.message, !rig.ok);

// Sources. Each start stops the previous one; `stopSource` also releases what the demo opened itself.
let stopSource = (): void => {};
const stopAll = (): void => {
  lipSync.stop();
  stopSource();
  stopSource = () => {};
  $('micButton').classList.remove('active');
};

$('micButton').addEventListener('click', async () => {
  stopAll();
  try {
    await audioContext.resume();
    const stream = await navigator.mediaDevices.getUserMedia({
      audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: false },
    });
    const tap = audioContext.createMediaStreamSource(stream);
    tap.connect(analyser);
    stopSource = () => {
      tap.disconnect();
      for (const track of stream.getTracks()) track.stop();
    };
    $('micButton').classList.add('active');
    await lipSync.startAsync({ kind: 'mediaStream', stream }, settings());
    message('Listening to the microphone.');
  } catch (e) {
    stopAll();
    message(e instanceof Error ? `${e.name}: ${e.message}` : String(e), true);
  }
});
$('stopButton').addEventListener('click', stopAll);

/** The rate realtime voice APIs stream speech at. */
const STREAM_RATE_HZ = 24000;

/**
 * "Streamed speech" mode: the clip as a voice agent would send it, 24 kHz PCM16 in 20–100 ms chunks paced
 * in real time with up to 40 ms of jitter, pushed to a `pcmStream` source.
 */
async function streamClip(url: string, label: string): Promise<void> {
  stopAll();
  try {
    await audioContext.resume();
    const decoder = new OfflineAudioContext(1, 1, STREAM_RATE_HZ);
    const x = (await decoder.decodeAudioData(await (await fetch(url)).arrayBuffer())).getChannelData(0);
    const pcm = Int16Array.from(x, (v) => Math.max(-32768, Math.min(32767, Math.round(v * 32767))));
    let timer: ReturnType<typeof setTimeout> | undefined;
    const stop = (): void => clearTimeout(timer);
    stopSource = stop;
    await lipSync.startAsync({ kind: 'pcmStream', sampleRateHz: STREAM_RATE_HZ }, settings());
    const behavior = lipSync.behavior!;
    const t0 = performance.now();
    let i = 0;
    const pushNext = (): void => {
      const n = Math.min(pcm.length - i, Math.round((0.02 + 0.08 * Math.random()) * STREAM_RATE_HZ));
      behavior.pushAudio(pcm.subarray(i, i + n));
      i += n;
      if (i < pcm.length) {
        const due = t0 + (i / STREAM_RATE_HZ) * 1000 + 40 * Math.random();
        timer = setTimeout(pushNext, Math.max(0, due - performance.now()));
      } else timer = setTimeout(() => stopSource === stop && stopAll(), 1500); // queue and delay drain
    };
    pushNext();
    message(`Streaming “${label}” as ${STREAM_RATE_HZ / 1000} kHz PCM16 chunks of 20–100 ms.`);
  } catch (e) {
    stopAll();
    message(e instanceof Error ? `${e.name}: ${e.message}` : String(e), true);
  }
}

async function playClip(url: string, label: string): Promise<void> {
  if ($<HTMLInputElement>('streamClips').checked) return streamClip(url, label);
  stopAll();
  try {
    await audioContext.resume();
    const buffer = await audioContext.decodeAudioData(await (await fetch(url)).arrayBuffer());
    const node = audioContext.createBufferSource();
    node.buffer = buffer;
    node.connect(analyser);
    const stop = (): void => {
      node.onended = null;
      node.disconnect();
      try {
        node.stop();
      } catch {
        // never started
      }
    };
    stopSource = stop;
    await lipSync.startAsync({ kind: 'audioNode', node }, settings());
    node.start();
    message(`Playing “${label}”.`);
    // Let the delayed sound and the last frames drain before stopping.
    node.onended = () => setTimeout(() => stopSource === stop && stopAll(), 800);
  } catch (e) {
    stopAll();
    message(e instanceof Error ? `${e.name}: ${e.message}` : String(e), true);
  }
}

interface IClip {
  readonly file: string;
  readonly label: string;
}
void fetch('dist/clips/clips.json')
  .then((r) => (r.ok ? (r.json() as Promise<IClip[]>) : []))
  .then((clips) => {
    if (clips.length === 0) return;
    $('clips').replaceChildren(
      ...clips.map((c) => {
        const b = document.createElement('button');
        b.textContent = `▶ ${c.label}`;
        b.title = c.file;
        b.addEventListener('click', () => void playClip(`dist/clips/${c.file}`, c.label));
        return b;
      }),
    );
  })
  .catch(() => undefined);

// Settings: intensity is live; the others apply at the next start (the behavior is re-created).
$('intensity').addEventListener('input', () => {
  $('intensityValue').textContent = Number($<HTMLInputElement>('intensity').value).toFixed(2);
  lipSync.setIntensity(settings().intensity);
});
$('smoothing').addEventListener('input', () => {
  $('smoothingValue').textContent = $<HTMLInputElement>('smoothing').value;
});

// Your own avatar: load a glb, pick the mesh with the most morph targets, report the rig detection.
let loaded: AssetContainer | null = null;
$<HTMLInputElement>('glbInput').addEventListener('change', async (ev) => {
  const file = (ev.target as HTMLInputElement).files?.[0];
  if (!file) return;
  stopAll();
  try {
    const container = await LoadAssetContainerAsync(file, scene, { pluginExtension: '.glb' });
    loaded?.dispose();
    loaded = container;
    container.addAllToScene();
    avatar.root.setEnabled(false);
    const score = (m: AbstractMesh): number =>
      (m.morphTargetManager?.numTargets ?? 0) * 1e7 + (m.skeleton ? 1e6 : 0) + m.getTotalVertices();
    const mesh = [...container.meshes].sort((a, b) => score(b) - score(a))[0];
    if (!mesh) throw new Error(`${file.name} has no meshes`);
    const { min, max } = mesh.getHierarchyBoundingVectors(true);
    stage.camera.setTarget(min.add(max).scale(0.5));
    stage.camera.radius = Math.max(0.3, 2.2 * max.subtract(min).length());
    const result = lipSync.attach(mesh, settings());
    message(`${file.name}: ${result.message}`, !result.ok);
  } catch (e) {
    message(e instanceof Error ? `${file.name}: ${e.message}` : String(e), true);
  }
});

$('exportButton').addEventListener('click', async () => {
  const blob = await exportDemoAvatarGlbAsync(scene, avatar);
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = 'demo-avatar.glb';
  a.click();
  URL.revokeObjectURL(a.href);
});

// For scripts/screenshot-demo.mjs and tests.
Object.assign(window, { demo: { scene, avatar, playClip, lipSync } });
