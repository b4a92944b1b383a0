import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { findMetadataLandmarkMap } from '../../../src/rig/findMetadataLandmarkMap.ts';

const map = Array.from({ length: 21 }, (_, i) => ({ vertex: i }));

describe('findMetadataLandmarkMap', () => {
  test('reads metadata.lipsV1LandmarkMap, then a glTF node extras map (metadata.gltf.extras)', () => {
    assert.deepEqual(findMetadataLandmarkMap({ lipsV1LandmarkMap: map }), {
      map,
      source: 'mesh.metadata.lipsV1LandmarkMap',
    });
    assert.deepEqual(findMetadataLandmarkMap({ gltf: { extras: { lipsV1LandmarkMap: map } } }), {
      map,
      source: 'mesh.metadata.gltf.extras.lipsV1LandmarkMap',
    });
  });

  test("the app's own metadata map wins over the glTF one", () => {
    const mine = map.map(() => ({ vertex: 0 }));
    const found = findMetadataLandmarkMap({
      lipsV1LandmarkMap: mine,
      gltf: { extras: { lipsV1LandmarkMap: map } },
    });
    assert.equal(found?.map, mine);
    assert.equal(found?.source, 'mesh.metadata.lipsV1LandmarkMap');
  });

  test('nothing found in absent or unrelated metadata (null entries count as absent)', () => {
    for (const metadata of [
      undefined,
      null,
      3,
      'x',
      {},
      { gltf: null },
      { gltf: { extras: 'x' } },
      { lipsV1LandmarkMap: null },
    ]) {
      assert.equal(findMetadataLandmarkMap(metadata), undefined, JSON.stringify(metadata));
    }
  });
});
