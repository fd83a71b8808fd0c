import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import { extentsSvg } from '../../../connectors/http/overlay.ts';
import { lonLatToPixel, pixelToLonLat, type Georeferencing } from '../../../eo/georeference.ts';

// 300 m pixels in UTM 18N (RGB.byte.tif's grid): drawing must undo the projection, not just the affine.
const georef: Georeferencing = { transform: [300, 0, 101985, 0, -300, 2826915], crs: 'EPSG:32618' };

describe('extents on the overlay', () => {
  it('maps WGS84 back to the scene pixel it came from', () => {
    for (const [x, y] of [[0, 0], [10.5, 20.25], [700, 600]] as const) {
      const [px, py] = lonLatToPixel(georef, ...pixelToLonLat(georef, x, y));
      assert.ok(Math.abs(px - x) < 1e-6 && Math.abs(py - y) < 1e-6, `${x},${y} → ${px},${py}`);
    }
  });

  it('fills an extent in its class colour at its pixels, and nothing outside it', async () => {
    const ring = [[20, 20], [60, 20], [60, 50], [20, 50], [20, 20]].map(([x, y]) => pixelToLonLat(georef, x as number, y as number));
    const svg = extentsSvg([{ class: 'water', polygons: [[ring]], area_km2: 108, mean_probability: 0.9 }], georef, 100, 80, 1);
    const { data } = await sharp({ create: { width: 100, height: 80, channels: 3, background: { r: 128, g: 128, b: 128 } } })
      .composite([{ input: Buffer.from(svg), top: 0, left: 0 }]).raw().toBuffer({ resolveWithObject: true });
    const at = (x: number, y: number) => [...data.subarray((y * 100 + x) * 3, (y * 100 + x) * 3 + 3)];
    const [r, , b] = at(40, 35);
    assert.ok((b as number) > (r as number) + 20, `inside tinted blue: ${at(40, 35)}`);
    assert.deepEqual(at(80, 70), [128, 128, 128]);
  });
});
