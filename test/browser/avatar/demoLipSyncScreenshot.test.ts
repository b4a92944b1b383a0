// The demo avatar driven by the shipped models through the behavior's own solver path, rendered by a real
// WebGL2 engine (SwiftShader): the mouth region must differ visibly between the loudest frame of an open
// vowel ("Ahh") and the silence before it. Both screenshots are saved as test artefacts in test-results/.
import { expect } from '@esm-bundle/chai';
import { writeFile } from '@web/test-runner-commands';
import { releaseProxy, wrap } from 'comlink';
import { defaultWorkerUrl } from '../../../src/assetUrls.ts';
import { applyRigPose, createRigBinding, describeRig } from '../../../src/rig/applyRigPose.ts';
import { createRigPose } from '../../../src/rig/rigPose.ts';
import { createLandmarkSolver } from '../../../src/rig/solveLandmarksToRig.ts';
import type { LipSyncWorkerApi } from '../../../src/worker/lipSyncWorker.ts';
import type { LipsFrameBlock } from '../../../src/worker/frames.ts';
import {
  createDemoAvatarScene,
  EYES_BOX,
  meanPixelDifference,
  MOUTH_BOX,
  type IDemoAvatarScene,
} from '../support/demoAvatarScene.ts';

const MANIFEST = new URL('../../../models/manifest.json', import.meta.url).href;
const WAV = new URL('../../fixtures/generated/vowel-ah.wav', import.meta.url).href;
const SIZE = 256;

describe('demo avatar lip-synced by the shipped models (screenshot)', function () {
  this.timeout(120_000);
  let view: IDemoAvatarScene;

  beforeEach(() => {
    view = createDemoAvatarScene(SIZE);
    view.stage.camera.radius = 0.3;
    view.stage.camera.target.set(0, -0.04, 0);
  });

  afterEach(() => view.dispose());

  /** Lips of the whole clip from the worker's offline path (the same features and model as streaming). */
  async function generate(): Promise<LipsFrameBlock> {
    const worker = new Worker(defaultWorkerUrl(), { type: 'module' });
    const api = wrap<LipSyncWorkerApi>(worker);
    try {
      await api.initAsync({ manifestUrl: MANIFEST, executionProviders: ['wasm'] });
      const ctx = new OfflineAudioContext(1, 16000, 16000);
      const audio = (await ctx.decodeAudioData(await (await fetch(WAV)).arrayBuffer())).getChannelData(0);
      return await api.generateOfflineAsync(audio.slice());
    } finally {
      api[releaseProxy]();
      worker.terminate();
    }
  }

  it('opens the mouth on the vowel and closes it at rest (pixel difference in the mouth region)', async () => {
    const track = await generate();
    let vowel = 0;
    for (let f = 0; f < track.frames; f++) if (track.speechRms[f] > track.speechRms[vowel]) vowel = f;
    const rest = 5; // 100 ms into the leading 400 ms of silence
    expect(track.speechRms[rest], 'frame 5 is silence').to.be.below(track.speechRms[vowel] / 100);

    // The behavior's own path: describe the rig, solve lips-v1 → influences + jaw, apply, render.
    const { avatar, scene, engine, canvas } = view;
    const rig = describeRig(avatar.face);
    const binding = createRigBinding(avatar.face, rig);
    const solver = createLandmarkSolver(rig);
    const pose = createRigPose(rig);
    await scene.whenReadyAsync();
    const shoot = async (frame: number, name: string): Promise<Uint8Array> => {
      solver.reset();
      // settle the linearised solve on this frame (the behavior converges over consecutive frames)
      for (let i = 0; i < 4; i++)
        solver.solve(track.displacements.subarray(frame * 63, frame * 63 + 63), pose);
      applyRigPose(avatar.face, binding, pose);
      scene.render();
      const png = canvas.toDataURL('image/png').split(',')[1];
      await writeFile({
        path: `../../../test-results/demo-lipsync-${name}.png`,
        content: png,
        encoding: 'base64',
      });
      return new Uint8Array((await engine.readPixels(0, 0, SIZE, SIZE)).buffer);
    };
    const closed = await shoot(rest, 'rest');
    const open = await shoot(vowel, 'vowel');
    const mouth = meanPixelDifference(closed, open, SIZE, MOUTH_BOX);
    const eyes = meanPixelDifference(closed, open, SIZE, EYES_BOX);
    console.log(
      `vowel frame ${vowel} (${(vowel * 20) / 1000} s): mouth |Δ| ${mouth.toFixed(1)}, eyes |Δ| ${eyes.toFixed(2)}`,
    );
    expect(mouth, 'mouth region mean |Δ|, 0–255').to.be.above(8);
    expect(eyes, 'eye region mean |Δ|').to.be.below(1);
  });
});
