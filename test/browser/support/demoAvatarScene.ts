// The demo avatar in its lit stage on a real WebGL2 engine (SwiftShader), framed on the mouth, for
// tests that render pixels. Idle motion is off so frames differ only by what the test changes.
import { Engine } from '@babylonjs/core/Engines/engine.js';
import { Scene } from '@babylonjs/core/scene.js';
import { createDemoAvatar, type DemoAvatar } from '../../../examples/avatar/createDemoAvatar.ts';
import { createDemoStage, type IDemoStage } from '../../../examples/avatar/createDemoStage.ts';

export interface IDemoAvatarScene {
  readonly canvas: HTMLCanvasElement;
  readonly engine: Engine;
  readonly scene: Scene;
  readonly stage: IDemoStage;
  readonly avatar: DemoAvatar;
  /** Square size of the canvas, pixels. */
  readonly size: number;
  dispose(): void;
}

/** @param size defines the square canvas size in pixels */
export function createDemoAvatarScene(size = 256): IDemoAvatarScene {
  const canvas = document.createElement('canvas');
  canvas.width = size;
  canvas.height = size;
  document.body.appendChild(canvas);
  const engine = new Engine(canvas, false, { preserveDrawingBuffer: true });
  const scene = new Scene(engine);
  const stage = createDemoStage(scene, null);
  const avatar = createDemoAvatar(scene);
  avatar.idle = false;
  return {
    canvas,
    engine,
    scene,
    stage,
    avatar,
    size,
    dispose() {
      avatar.dispose();
      stage.dispose();
      scene.dispose();
      engine.dispose();
      canvas.remove();
    },
  };
}

/** Mean absolute RGB difference (0–255) of two `readPixels` images over a box (rows start at the bottom). */
export function meanPixelDifference(
  a: Uint8Array,
  b: Uint8Array,
  size: number,
  box: { x: number; y: number; w: number; h: number },
): number {
  let sum = 0;
  for (let y = box.y; y < box.y + box.h; y++)
    for (let x = box.x; x < box.x + box.w; x++)
      for (let c = 0; c < 3; c++) sum += Math.abs(a[(y * size + x) * 4 + c] - b[(y * size + x) * 4 + c]);
  return sum / (box.w * box.h * 3);
}

/** The mouth and eye regions of the mouth-framed 256 px view (camera radius 0.3, target y −0.04). */
export const MOUTH_BOX = { x: 88, y: 64, w: 80, h: 56 };
export const EYES_BOX = { x: 48, y: 190, w: 160, h: 40 };
