-- Extents of segmentation models (AnalysisResult.extents: class, MultiPolygon in WGS84, area_km2, mean_probability),
-- served by GET /api/v1/results/{image_id} and /extents.geojson. NULL for detection-only results.
ALTER TABLE ml_predictions ADD COLUMN extents_json JSON NULL;
