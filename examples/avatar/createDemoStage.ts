/**
 * Lights, backdrop, tone mapping and camera for the demo avatar, made in code (no environment file): a warm
 * key light, a cool hemispheric fill, a rim light from behind and a soft vertical gradient behind the head.
 */
import { ArcRotateCamera } from '@babylonjs/core/Cameras/arcRotateCamera.js';
import { DirectionalLight } from '@babylonjs/core/Lights/directionalLight.js';
import { HemisphericLight } from '@babylonjs/core/Lights/hemisphericLight.js';
import { ImageProcessingConfiguration } from '@babylonjs/core/Materials/imageProcessingConfiguration.js';
import { DynamicTexture } from '@babylonjs/core/Materials/Textures/dynamicTexture.js';
import { Color3, Color4 } from '@babylonjs/core/Maths/math.color.js';
import { Vector3 } from '@babylonjs/core/Maths/math.vector.js';
import { Layer } from '@babylonjs/core/Layers/layer.js';
import type { Scene } from '@babylonjs/core/scene.js';

/** What `createDemoStage` adds to the scene. */
export interface IDemoStage {
  /** Orbit camera framing the face (the face looks +z, so the camera sits on +z). */
  readonly camera: ArcRotateCamera;
  /** Disposes the camera, lights and backdrop. */
  dispose(): void;
}

/**
 * Lights and frames a demo avatar standing at the origin.
 * @param scene defines the scene
 * @param canvas defines the canvas whose pointer input orbits the camera, or null for a fixed camera
 * @returns the camera and a dispose function
 */
export function createDemoStage(scene: Scene, canvas: HTMLCanvasElement | null): IDemoStage {
  scene.clearColor = new Color4(0.86, 0.9, 0.95, 1);
  const ip = scene.imageProcessingConfiguration;
  ip.toneMappingEnabled = true;
  ip.toneMappingType = ImageProcessingConfiguration.TONEMAPPING_ACES;
  ip.exposure = 1.25;
  ip.contrast = 1.15;
  ip.vignetteEnabled = true;
  ip.vignetteWeight = 1.2;

  // alpha = +pi/2 puts an ArcRotateCamera on +z, looking back at the face.
  const camera = new ArcRotateCamera(
    'demoCamera',
    Math.PI / 2,
    Math.PI / 2.08,
    0.62,
    new Vector3(0, -0.035, 0),
    scene,
  );
  camera.fov = 0.6;
  camera.minZ = 0.01;
  camera.lowerRadiusLimit = 0.18;
  camera.upperRadiusLimit = 1.2;
  camera.wheelDeltaPercentage = 0.01;
  if (canvas) camera.attachControl(canvas, true);

  const fill = new HemisphericLight('demoFill', new Vector3(0, 1, 0.3), scene);
  fill.intensity = 0.75;
  fill.diffuse = new Color3(0.92, 0.95, 1);
  fill.groundColor = new Color3(0.45, 0.38, 0.36);
  const key = new DirectionalLight('demoKey', new Vector3(-0.45, -0.55, -0.7), scene);
  key.intensity = 2.4;
  key.diffuse = new Color3(1, 0.94, 0.86);
  const rim = new DirectionalLight('demoRim', new Vector3(0.6, -0.2, 0.8), scene);
  rim.intensity = 1.6;
  rim.diffuse = new Color3(0.75, 0.85, 1);

  const backdrop = new Layer('demoBackdrop', null, scene, true);
  const tex = new DynamicTexture('demoBackdropTexture', { width: 16, height: 256 }, scene, false);
  const ctx = tex.getContext();
  const grad = ctx.createLinearGradient(0, 0, 0, 256);
  grad.addColorStop(0, '#b9d3ee');
  grad.addColorStop(0.65, '#eef1f6');
  grad.addColorStop(1, '#f6e9df');
  ctx.fillStyle = grad;
  ctx.fillRect(0, 0, 16, 256);
  tex.update();
  backdrop.texture = tex;

  return {
    camera,
    dispose() {
      backdrop.dispose();
      tex.dispose();
      for (const n of [fill, key, rim, camera]) n.dispose();
    },
  };
}
