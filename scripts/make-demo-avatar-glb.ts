/**
 * Writes dist/demo-avatar.glb, the demo's code-made avatar as a binary glTF (skinned face with a `jaw`
 * joint, ARKit mouth shapes, and its lips-v1 landmark map in the face node's extras), so users get an
 * avatar with the package (`npx perceptual-lipsync assets <dir> --demo-avatar`) without running the
 * demo. Part of `npm run build`; Babylon's glTF exporter runs in Node on a NullEngine, and the output is
 * byte-identical from run to run (checked when this was written: two exports, `cmp`).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { NullEngine } from '@babylonjs/core/Engines/nullEngine.js';
import { Logger } from '@babylonjs/core/Misc/logger.js';
import { Scene } from '@babylonjs/core/scene.js';
import { createDemoAvatar, exportDemoAvatarGlbAsync } from '../examples/avatar/createDemoAvatar.ts';

const out = process.argv[2] ?? 'dist/demo-avatar.glb';
Logger.LogLevels = Logger.ErrorLogLevel; // the exporter's notes about joint formats are not news here
const engine = new NullEngine();
const scene = new Scene(engine);
const avatar = createDemoAvatar(scene);
const blob = await exportDemoAvatarGlbAsync(scene, avatar);
mkdirSync(out.replace(/[^/]*$/, '') || '.', { recursive: true });
writeFileSync(out, new Uint8Array(await blob.arrayBuffer()));
avatar.dispose();
scene.dispose();
engine.dispose();
