/**
 * A result's extents as an RFC 7946 FeatureCollection: the polygons are already WGS84 [longitude, latitude] with
 * right-hand rings (the analyze stage winds them), so this only wraps each extent as a Feature.
 */
import type { FeatureCollection, MultiPolygon } from 'geojson';
import type { Extent } from './resultStore.ts';

export interface ExtentProperties {
  image_id: string;
  class: string;
  area_km2: number;
  mean_probability: number;
}

/**
 * @example extentsCollection('img-1', result.analysis.extents ?? [])
 */
export function extentsCollection(imageId: string, extents: readonly Extent[]): FeatureCollection<MultiPolygon, ExtentProperties> {
  return {
    type: 'FeatureCollection',
    features: extents.map((e) => ({
      type: 'Feature',
      properties: { image_id: imageId, class: e.class, area_km2: e.area_km2, mean_probability: e.mean_probability },
      geometry: { type: 'MultiPolygon', coordinates: e.polygons },
    })),
  };
}
