-- What a result left out of its extents to stay within HAZARDFLOW_MAX_EXTENT_VERTICES (AnalysisResult.extents_trimmed:
-- dropped_extents, dropped_area_km2, classes, max_vertices), served by GET /api/v1/results/{image_id}. NULL: nothing left out.
-- And the outlines of a segmentation detector's regions (AnalysisResult.detection_extents: landslide, flood, …).
ALTER TABLE ml_predictions ADD COLUMN extents_trimmed_json JSON NULL, ADD COLUMN detection_extents_json JSON NULL;
