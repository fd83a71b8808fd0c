/** Pixel → WGS84 through the EPSG definitions of epsg-index, for the CRSs the issue names, against known points. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { crsOfGeoKeys } from '../../../eo/crsDefinitions.ts';
import { distanceM, footprintPolygon, groundAreaM2, pixelToLonLat, ringBounds, type Affine } from '../../../eo/georeference.ts';

const at = (crs: string, x: number, y: number) => pixelToLonLat({ transform: [1, 0, x, 0, -1, y] as Affine, crs }, 0, 0);
const near = (got: [number, number], want: [number, number], degrees: number, label: string) =>
  assert.ok(Math.abs(got[0] - want[0]) <= degrees && Math.abs(got[1] - want[1]) <= degrees, `${label}: ${got} vs ${want}`);

test('UTM north and south, 4326, 3857, LAEA Europe, polar stereographic place known points', () => {
  // Central meridian of zone 33 at the equator; zone 33S's false northing of 10 000 km is the equator too.
  near(at('EPSG:32633', 500000, 0), [15, 0], 1e-9, 'UTM 33N');
  near(at('EPSG:32733', 500000, 10_000_000), [15, 0], 1e-9, 'UTM 33S');
  near(at('EPSG:4326', -0.78, 38.13), [-0.78, 38.13], 1e-12, 'WGS84');
  near(at('EPSG:3857', 20037508.342789244 / 2, 0), [90, 0], 1e-9, 'Web Mercator');
  // LAEA Europe's origin (false easting/northing 4321000, 3210000) is 10°E, 52°N.
  near(at('EPSG:3035', 4321000, 3210000), [10, 52], 1e-9, 'LAEA Europe');
  near(at('EPSG:3031', 0, 0), [0, -90], 1e-9, 'Antarctic polar stereographic');
  assert.ok(Math.abs((at('EPSG:3413', 0, 0)[1]) - 90) < 1e-9, 'NSIDC north polar stereographic');
});

test('the footprint is a closed counter-clockwise ring whose bounds are the corners; areas are ground areas', () => {
  const georef = { transform: [10, 0, 500000, 0, -10, 5200000] as Affine, crs: 'EPSG:32633' };
  const [ring] = footprintPolygon(georef, 1000, 1000);
  assert.ok(ring && ring.length === 65);
  assert.deepEqual(ring[0], ring[ring.length - 1]);
  let twiceArea = 0;
  for (let i = 0; i + 1 < ring.length; i++) twiceArea += (ring[i] as number[])[0]! * (ring[i + 1] as number[])[1]! - (ring[i + 1] as number[])[0]! * (ring[i] as number[])[1]!;
  assert.ok(twiceArea > 0, 'counter-clockwise');
  const b = ringBounds([ring]);
  assert.ok(b.west < b.east && b.south < b.north);
  // 10 m pixels in UTM near the central meridian: 100 × 100 px ≈ 1 km² (scale factor 0.9996 → within 0.2 %).
  assert.ok(Math.abs(groundAreaM2(georef, 0, 0, 100, 100) / 1e6 - 1) < 0.002);
  // Web Mercator metres are not ground metres at 60°N: a 1000 m "pixel" there covers a quarter of a km².
  const mercator = { transform: [1000, 0, 0, 0, -1000, 8399737.889818357] as Affine, crs: 'EPSG:3857' };
  assert.ok(Math.abs(groundAreaM2(mercator, 0, 0, 1, 1) / 250_000 - 1) < 0.01);
  assert.ok(Math.abs(distanceM([0, 0], [0, 1]) - 111_195) < 10);
});

test('GeoKeys name the CRS by EPSG code; a user-defined or unknown one is refused with the reason', () => {
  assert.equal(crsOfGeoKeys({ GTModelTypeGeoKey: 1, ProjectedCSTypeGeoKey: 32618 }), 'EPSG:32618');
  assert.equal(crsOfGeoKeys({ GTModelTypeGeoKey: 2, GeographicTypeGeoKey: 4326 }), 'EPSG:4326');
  assert.equal(crsOfGeoKeys(null), null);
  assert.throws(() => crsOfGeoKeys({ GTModelTypeGeoKey: 1, ProjectedCSTypeGeoKey: 32767 }), /UNSUPPORTED_CRS|user-defined/);
  assert.throws(() => crsOfGeoKeys({ GTModelTypeGeoKey: 1, ProjectedCSTypeGeoKey: 999999 }), /not in the EPSG registry/);
});
