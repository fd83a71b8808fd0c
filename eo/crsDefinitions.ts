/**
 * CRS definitions for proj4 from the EPSG registry as the `epsg-index` package ships it (one JSON file per code,
 * with its proj4 string): every EPSG CRS a GeoTIFF's GeoKeys can name (UTM north and south, 4326, 3857, LAEA
 * Europe 3035, polar stereographic 3031/3413, national grids …), loaded on first use.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import proj4 from 'proj4';
import { PermanentError } from '../pipeline/errors.ts';

const require = createRequire(import.meta.url);
// epsg-index's package has no "exports": its folder holds s/<code>.json beside its package.json.
const epsgFolder = join(dirname(require.resolve('epsg-index/package.json')), 's');

/**
 * The proj4 name of an 'EPSG:<code>' CRS, defined from the registry if proj4 does not know it yet; a code the
 * registry does not have, or one that is not a coordinate reference system proj4 can run, is UNSUPPORTED_CRS.
 */
export function projectionOf(crs: string): string {
  if (proj4.defs(crs)) return crs;
  const code = /^EPSG:(\d{4,6})$/.exec(crs)?.[1];
  if (!code) throw new PermanentError('UNSUPPORTED_CRS', `CRS "${crs}" is not an EPSG code`);
  let entry: { kind?: string; proj4?: string; name?: string };
  try {
    entry = JSON.parse(readFileSync(join(epsgFolder, `${code}.json`), 'utf8')) as typeof entry;
  } catch {
    throw new PermanentError('UNSUPPORTED_CRS', `EPSG:${code} is not in the EPSG registry`);
  }
  if (!entry.kind?.startsWith('CRS-') || !entry.proj4) {
    throw new PermanentError('UNSUPPORTED_CRS', `EPSG:${code} (${entry.name ?? entry.kind ?? 'unknown'}) is not a coordinate reference system with a proj4 definition`);
  }
  proj4.defs(crs, entry.proj4);
  return crs;
}

/** GeoKey values of the GeoTIFF spec that say "not one of the EPSG codes" (user-defined, undefined). */
const USER_DEFINED = 32767;

/**
 * The 'EPSG:<code>' of a GeoTIFF's GeoKeys: the projected CRS for GTModelType 1, the geographic one for 2.
 * GeoTIFFs with a user-defined CRS (GeoKeys spelling out the projection's parameters) are refused with the reason:
 * the EPSG code is how every common product (Sentinel, Landsat, COGs from GDAL) names its CRS.
 */
export function crsOfGeoKeys(keys: Partial<Record<string, unknown>> | null): string | null {
  if (!keys) return null;
  const model = keys.GTModelTypeGeoKey;
  const code = model === 2 ? keys.GeographicTypeGeoKey : keys.ProjectedCSTypeGeoKey ?? keys.GeographicTypeGeoKey;
  if (model === 3) throw new PermanentError('UNSUPPORTED_CRS', 'geocentric GeoTIFFs are not supported');
  if (typeof code !== 'number') return null;
  if (code === USER_DEFINED || code <= 0) {
    throw new PermanentError('UNSUPPORTED_CRS', `the GeoTIFF's CRS is user-defined (${String(keys.GTCitationGeoKey ?? 'no citation')}), not an EPSG code`);
  }
  return projectionOf(`EPSG:${code}`);
}
