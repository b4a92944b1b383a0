/**
 * Babylon edge of baking: turns per-control key values (`solveLipsTrackToRig`) into an `AnimationGroup`
 * that drives the bound rig: one float animation per morph target's `influence` and one quaternion
 * animation for the jaw (on its linked TransformNode when it has one, as glTF rigs do; else on the bone).
 */
// The registering modules (not `*.pure.js`): the returned group must be playable (`start`, `goToFrame`)
// without the caller importing Babylon's animation side effects themselves.
import { Animation } from '@babylonjs/core/Animations/animation.js';
import { AnimationGroup } from '@babylonjs/core/Animations/animationGroup.js';
import type { IAnimationKey } from '@babylonjs/core/Animations/animationKey.js';
import { Quaternion } from '@babylonjs/core/Maths/math.vector.js';
import type { Scene } from '@babylonjs/core/scene.js';
import { jawRotationToRef, type RigBinding } from '../rig/applyRigPose.ts';
import type { IRigKeyTrack } from '../playout/solveLipsTrackToRig.ts';

/**
 * Builds the animation group for baked rig keys (key k at frame k, `keys.fps` frames per second).
 * @param scene defines the scene the group belongs to
 * @param binding defines the rig's Babylon objects (from `createRigBinding`)
 * @param keys defines the key values (from `solveLipsTrackToRig` on the same rig)
 * @param name defines the group name (animations are named `<name>:<control>`)
 * @returns a stopped group; `start()` plays it from audio time 0
 */
export function createRigAnimationGroup(
  scene: Scene,
  binding: RigBinding,
  keys: IRigKeyTrack,
  name: string,
): AnimationGroup {
  const group = new AnimationGroup(name, scene);
  binding.targets.forEach((target, c) => {
    const values = keys.morphInfluences[c];
    const anim = new Animation(
      `${name}:${target.name}`,
      'influence',
      keys.fps,
      Animation.ANIMATIONTYPE_FLOAT,
      Animation.ANIMATIONLOOPMODE_CONSTANT,
    );
    const frames: IAnimationKey[] = new Array<IAnimationKey>(keys.keys);
    for (let k = 0; k < keys.keys; k++) frames[k] = { frame: k, value: values[k] };
    anim.setKeys(frames);
    group.addTargetedAnimation(anim, target);
  });
  const jaw = binding.jaw;
  if (jaw && keys.jawRotationRad.length > 0) {
    const anim = new Animation(
      `${name}:${jaw.node?.name ?? jaw.bone.name}`,
      'rotationQuaternion',
      keys.fps,
      Animation.ANIMATIONTYPE_QUATERNION,
      Animation.ANIMATIONLOOPMODE_CONSTANT,
    );
    const angles = new Float32Array(keys.jawRotationRad.length);
    const frames: IAnimationKey[] = new Array<IAnimationKey>(keys.keys);
    for (let k = 0; k < keys.keys; k++) {
      for (let a = 0; a < angles.length; a++) angles[a] = keys.jawRotationRad[a][k];
      frames[k] = { frame: k, value: jawRotationToRef(jaw, angles, new Quaternion()) };
    }
    anim.setKeys(frames);
    group.addTargetedAnimation(anim, jaw.node ?? jaw.bone);
  }
  return group;
}
