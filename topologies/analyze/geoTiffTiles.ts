/**
 * Model tiles of a GeoTIFF, read window by window: each tile reads only the blocks under it, for only the bands the
 * model's manifest names, and becomes the true-colour composite an RGB model takes. A 10980² 13-band scene is never
 * whole in memory: at a time, the tiles of the batch being prepared.
 */
import type { SceneReader } from '../../eo/sceneReader.ts';
import { trueColour } from '../../eo/trueColour.ts';
import { checkTile, PAD_VALUE, type TileSource } from './cutTile.ts';

/**
 * @example const source = geoTiffTiles(scene, manifest.input.bands)
 */
export function geoTiffTiles(scene: SceneReader, bands: readonly [string, string, string]): TileSource {
  return {
    width: scene.width,
    height: scene.height,
    async cutTile(rect, inputWidth, inputHeight, target) {
      checkTile(scene, rect, inputWidth, inputHeight, target);
      if (rect.width < inputWidth || rect.height < inputHeight) target.fill(PAD_VALUE);
      trueColour(await scene.readWindow(rect, bands), scene.profile.quantity, target, inputWidth);
    },
  };
}
