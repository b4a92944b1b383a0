// Issue #6: on a FLAME-topology test avatar built from ../shared/flame (skipped with a message when that
// folder is not served), the shipped model driven through the behavior opens the inner lips on open
// vowels and closes them during bilabials, measured on the deformed mesh (CPU read-back of morphs + skinning).
// The clip is synthesised at fixture time by flite with exact phone times (scripts/make-test-fixtures).
import { expect } from '@esm-bundle/chai';
import { NullEngine } from '@babylonjs/core/Engines/nullEngine.js';
import { Scene } from '@babylonjs/core/scene.js';
import { PerceptualLipSyncBehavior } from '../../../src/behavior/perceptualLipSyncBehavior.ts';
import { liveSharedAudioContextCount } from '../../../src/behavior/sharedAudioContext.ts';
import { liveLipSyncWorkerCount } from '../../../src/worker/lipSyncWorkerClient.ts';
import { readBackLipsV1 } from '../../../src/rig/applyRigPose.ts';
import { innerLipAperture, LIPS_V1 } from '../../../src/rig/lipsV1.ts';
import { percentileOfSorted } from '../../../src/math/percentileOfSorted.ts';
import { createLandmarkSolver } from '../../../src/rig/solveLandmarksToRig.ts';
import { createRigPose } from '../../../src/rig/rigPose.ts';
import { solveLipsTrackToRig } from '../../../src/playout/solveLipsTrackToRig.ts';
import { buildFlameAvatar, loadFlameFixtureAsync, type IFlameFixture } from '../rig/flameTestAvatar.ts';

const SHIPPED = new URL('/models/manifest.json', location.href).href;
const CLIP = new URL('../../fixtures/generated/phone-clip.wav', import.meta.url).href;
const PHONES = new URL('../../fixtures/generated/phone-clip.phones.json', import.meta.url).href;

interface IPhone {
  readonly phone: string;
  readonly startSec: number;
  readonly endSec: number;
}

const OPEN_VOWELS = new Set(['aa']);
const BILABIALS = new Set(['p', 'b', 'm']);

const median = (values: number[]): number =>
  percentileOfSorted(
    [...values].sort((a, b) => a - b),
    50,
  );

const mm = (m: number) => (m * 1e3).toFixed(2);

describe('FLAME avatar + shipped model (bakeAsync)', function () {
  this.timeout(300_000);
  let fixture: IFlameFixture;
  let phones: IPhone[];
  let engine: NullEngine;
  let scene: Scene;

  before(async function () {
    const fx = await loadFlameFixtureAsync();
    if (typeof fx === 'string') {
      console.warn(`Skipping the FLAME avatar lip test: ${fx}`);
      this.skip();
    }
    fixture = fx as IFlameFixture;
    const res = await fetch(PHONES);
    if (!res.ok) throw new Error(`${PHONES}: HTTP ${res.status}; run scripts/make-test-fixtures`);
    phones = ((await res.json()) as { phones: IPhone[] }).phones;
  });
  beforeEach(() => {
    engine = new NullEngine();
    scene = new Scene(engine);
  });
  afterEach(async () => {
    scene.dispose();
    engine.dispose();
    await new Promise((r) => setTimeout(r, 600));
    expect(liveLipSyncWorkerCount(), 'workers left running').to.equal(0);
    expect(liveSharedAudioContextCount(), 'AudioContexts left open').to.equal(0);
  });

  it('opens the inner lips on "ah" and closes them during p/b/m, on the deformed mesh', async () => {
    const mesh = buildFlameAvatar(scene, fixture, { expressionCount: 50, withJaw: true });
    const lipSync = new PerceptualLipSyncBehavior({
      modelManifestUrl: SHIPPED,
      executionProviders: ['wasm'],
    });
    mesh.addBehavior(lipSync);
    try {
      const rig = lipSync.rig!;
      expect(rig.kind).to.equal('flame');
      const { track, animationGroup } = await lipSync.bakeAsync({ kind: 'url', url: CLIP });
      expect(animationGroup.targetedAnimations.map((t) => t.animation.targetProperty)).to.include(
        'rotationQuaternion',
      );
      animationGroup.start(false, 1);
      animationGroup.pause();
      const readBack = new Float32Array(63);
      /** Inner-lip aperture of the deformed mesh at audio time `t`, metres (FLAME units). */
      const meshAperture = (t: number): number => {
        animationGroup.goToFrame(t * track.fps);
        return innerLipAperture(readBackLipsV1(mesh, rig.landmarkMap, readBack));
      };
      /** The generator's own aperture at the nearest frame, for the report. */
      const modelAperture = (t: number): number =>
        innerLipAperture(track.frames[Math.min(track.frames.length - 1, Math.round(t * track.fps))].flat());
      const at = (set: Set<string>) =>
        phones
          .filter((p) => set.has(p.phone))
          .map((p) => {
            const c = (p.startSec + p.endSec) / 2;
            return { phone: p.phone, c, mesh: meshAperture(c), model: modelAperture(c) };
          });
      const vowels = at(OPEN_VOWELS);
      const bilabials = at(BILABIALS);
      // "Close during bilabials": the narrowest the mesh gets within each p/b/m (sampled every 5 ms). The
      // lips meet in the stop's closure, which need not straddle the phone's centre (the release follows).
      const closedDuring = phones
        .filter((p) => BILABIALS.has(p.phone))
        .map((p) => {
          let narrowest = Infinity;
          for (let t = p.startSec; t <= p.endSec; t += 0.005)
            narrowest = Math.min(narrowest, meshAperture(t));
          return narrowest;
        });
      const report = (name: string, xs: typeof vowels) =>
        `${name} (${xs.length}): mesh median ${mm(median(xs.map((x) => x.mesh)))} mm ` +
        `[${mm(Math.min(...xs.map((x) => x.mesh)))}, ${mm(Math.max(...xs.map((x) => x.mesh)))}], ` +
        `generator median ${mm(median(xs.map((x) => x.model)))} mm`;
      console.log(
        `inner-lip aperture at phone centres: ${report('aa', vowels)}; ${report('p/b/m', bilabials)}; ` +
          `narrowest during each p/b/m on the mesh: median ${mm(median(closedDuring))} mm, ` +
          `${closedDuring.filter((a) => a <= 0.0015).length} of ${closedDuring.length} ≤ 1.5 mm ` +
          `(${closedDuring.map(mm).join(' ')})`,
      );
      expect(vowels.length).to.be.at.least(10);
      expect(bilabials.length).to.be.at.least(10);
      const vowelMedian = median(vowels.map((x) => x.mesh));
      const bilabialMedian = median(bilabials.map((x) => x.mesh));
      // Thresholds from the measured run (flite rms, a voice held out of training): "aa" median 9.7 mm,
      // p/b/m median 3.4 mm (generator alone 10.4 / 3.1 mm), neutral 0.28 mm. Bilabials narrow clearly
      // but do not fully close (the teacher closes them to 0.33 mm): see the pending test below.
      expect(vowelMedian, 'median aperture at "aa" centres (m)').to.be.at.least(0.007);
      expect(bilabialMedian, 'median aperture at p/b/m centres (m)').to.be.at.most(0.004);
      expect(bilabialMedian / vowelMedian, 'p/b/m median over "aa" median').to.be.at.most(0.5);
      // Word by word: every p/b/m is at least 1 mm narrower than the "aa" it opens or closes (papa, mama,
      // Bob, calm; the narrowest measured margin was 1.8 mm, in the short vowel of "Bob's").
      for (const b of bilabials) {
        const next = vowels.find((v) => Math.abs(v.c - b.c) < 0.25);
        if (next) {
          expect(b.mesh, `${b.phone} at ${b.c.toFixed(2)} s vs aa at ${next.c.toFixed(2)} s`).to.be.lessThan(
            next.mesh - 0.001,
          );
        }
      }
      // Closed: the teacher closes p/b/m to 0.33 mm; 1.5 mm is the threshold for "closed" here. Measured
      // with the calibrated shipped model: median 1.07 mm, 10 of 15 closed, four stay > 2.5 mm open.
      expect(median(closedDuring), 'median of the narrowest aperture during each p/b/m (m)').to.be.at.most(
        0.0015,
      );

      // The mesh shows the solver's poses: the group's morph influences and jaw quaternion put the
      // landmarks where the solver's forward model puts them for the same frames (same gain, smoothing).
      // The track file holds positions; the solver chain takes displacements from neutral.
      const displacements = Float32Array.from(track.frames.flat(2), (v, i) => v - LIPS_V1.neutral[i % 63]);
      const keys = solveLipsTrackToRig(displacements, track.fps, rig, { intensity: 1, smoothingMs: 20 });
      const solver = createLandmarkSolver(rig);
      const pose = createRigPose(rig);
      const forward = new Float32Array(63);
      let worst = 0;
      for (let k = 0; k < keys.keys; k += 5) {
        animationGroup.goToFrame(k);
        readBackLipsV1(mesh, rig.landmarkMap, readBack);
        keys.morphInfluences.forEach((v, c) => (pose.morphInfluences[c] = v[k]));
        keys.jawRotationRad.forEach((v, a) => (pose.jawRotationRad[a] = v[k]));
        solver.forward(pose, forward);
        for (let i = 0; i < 63; i++) worst = Math.max(worst, Math.abs(readBack[i] - forward[i]));
      }
      // The track JSON is rounded to 0.1 µm, so the re-solve differs from the bake by about that.
      expect(worst, 'max |mesh − solver forward model| (m)').to.be.lessThan(2e-5);
      expect(Math.max(...keys.jawRotationRad[0]), 'the jaw turns').to.be.greaterThan(0.02);
      animationGroup.dispose();
    } finally {
      lipSync.dispose();
    }
  });
});
