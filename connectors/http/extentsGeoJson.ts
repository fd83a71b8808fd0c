/**
 * A result's extents as an RFC 7946 FeatureCollection: the polygons are already WGS84 [longitude, latitude] with
 * right-hand rings (the analyze stage winds them), so this only wraps each extent as a Feature.
 */
import type { FeatureCollection, MultiPolygon } from 'geojson';
import type { Extent } from './resultStore.ts';

export interface ExtentProperties {
  image_id: string;
  class: string;
  /** `segmentation` (a segmentation model's extent: water, flood against the reference, …) or `detector` (a detector's region). */
  source: 'segmentation' | 'detector';
  area_km2: number;
  mean_probability: number;
}

/**
 * @example extentsCollection('img-1', result.analysis.extents ?? [], result.analysis.detection_extents ?? [])
 */
export function extentsCollection(imageId: string, extents: readonly Extent[], detectionExtents: readonly Extent[] = []): FeatureCollection<MultiPolygon, ExtentProperties> {
  const feature = (e: Extent, source: ExtentProperties['source']) => ({
    type: 'Feature' as const,
    properties: { image_id: imageId, class: e.class, source, area_km2: e.area_km2, mean_probability: e.mean_probability },
    geometry: { type: 'MultiPolygon' as const, coordinates: e.polygons },
  });
  // The two kinds share class names (`flood`: water where the reference says land, or an RGB detector's flood region).
  return { type: 'FeatureCollection', features: [...extents.map((e) => feature(e, 'segmentation')), ...detectionExtents.map((e) => feature(e, 'detector'))] };
}
