// Generated from schemas/AnalysisResult.avsc by schemas/generateTypes.ts. Do not edit.
/* eslint-disable */
/* eslint-disable @typescript-eslint/no-namespace */

export type AnalysisResult = DevHazardflow.AnalysisResult;

export namespace DevHazardflow {
    export const AnalysisStatusSchema = "{\"type\":\"enum\",\"name\":\"AnalysisStatus\",\"symbols\":[\"completed\",\"failed\"]}";
    export const AnalysisStatusName = "dev.hazardflow.AnalysisStatus";
    export type AnalysisStatus = "completed" | "failed";
    export const ModelInfoSchema = "{\"type\":\"record\",\"name\":\"ModelInfo\",\"fields\":[{\"name\":\"name\",\"type\":\"string\"},{\"name\":\"version\",\"type\":\"string\"}]}";
    export const ModelInfoName = "dev.hazardflow.ModelInfo";
    export interface ModelInfo {
        name: string;
        version: string;
    }
    export const DetectionSchema = "{\"type\":\"record\",\"name\":\"Detection\",\"fields\":[{\"name\":\"class\",\"type\":\"string\",\"doc\":\"landslide, flood, water_body or vegetation_loss (the model manifest's names).\"},{\"name\":\"confidence\",\"type\":\"double\"},{\"name\":\"bbox\",\"type\":{\"type\":\"array\",\"items\":\"double\"},\"doc\":\"[x1, y1, x2, y2] in scene pixels.\"},{\"name\":\"area_px\",\"type\":\"double\"},{\"name\":\"area_m2\",\"type\":[\"null\",\"double\"],\"default\":null},{\"name\":\"latitude\",\"type\":[\"null\",\"double\"],\"default\":null,\"doc\":\"Center of the box, when the footprint is known.\"},{\"name\":\"longitude\",\"type\":[\"null\",\"double\"],\"default\":null}]}";
    export const DetectionName = "dev.hazardflow.Detection";
    export interface Detection {
        /**
         * landslide, flood, water_body or vegetation_loss (the model manifest's names).
         */
        class: string;
        confidence: number;
        /**
         * [x1, y1, x2, y2] in scene pixels.
         */
        bbox: number[];
        area_px: number;
        /**
         * Default: null
         */
        area_m2: null | number;
        /**
         * Center of the box, when the footprint is known.
         *
         * Default: null
         */
        latitude: null | number;
        /**
         * Default: null
         */
        longitude: null | number;
    }
    export const RiskLevelSchema = "{\"type\":\"enum\",\"name\":\"RiskLevel\",\"symbols\":[\"low\",\"medium\",\"high\",\"critical\"]}";
    export const RiskLevelName = "dev.hazardflow.RiskLevel";
    export type RiskLevel = "low" | "medium" | "high" | "critical";
    export const ExtentSchema = "{\"type\":\"record\",\"name\":\"Extent\",\"fields\":[{\"name\":\"class\",\"type\":\"string\",\"doc\":\"water, flood, \u2026 (the model manifest's names).\"},{\"name\":\"polygons\",\"type\":{\"type\":\"array\",\"items\":{\"type\":\"array\",\"items\":{\"type\":\"array\",\"items\":{\"type\":\"array\",\"items\":\"double\"}}}},\"doc\":\"GeoJSON MultiPolygon coordinates: polygons, each rings of [longitude, latitude] (outer ring counter-clockwise, holes clockwise, closed).\"},{\"name\":\"area_km2\",\"type\":\"double\"},{\"name\":\"mean_probability\",\"type\":\"double\",\"doc\":\"Mean class probability over the extent's pixels.\"}]}";
    export const ExtentName = "dev.hazardflow.Extent";
    export interface Extent {
        /**
         * water, flood, … (the model manifest's names).
         */
        class: string;
        /**
         * GeoJSON MultiPolygon coordinates: polygons, each rings of [longitude, latitude] (outer ring counter-clockwise, holes clockwise, closed).
         */
        polygons: number[][][][];
        area_km2: number;
        /**
         * Mean class probability over the extent's pixels.
         */
        mean_probability: number;
    }
    export const PlacementSchema = "{\"type\":\"record\",\"name\":\"Placement\",\"fields\":[{\"name\":\"method\",\"type\":\"string\",\"doc\":\"georeferenced (the GeoTIFF's own transform and CRS), bounds, center+gsd, or center+default-gsd (latitude and longitude only: the gsd is assumed).\"},{\"name\":\"gsd_m\",\"type\":[\"null\",\"double\"],\"default\":null,\"doc\":\"Ground sample distance used, given or assumed.\"},{\"name\":\"approximate\",\"type\":\"boolean\",\"doc\":\"True when the gsd was assumed: positions away from the center are scaled by a guess.\"}]}";
    export const PlacementName = "dev.hazardflow.Placement";
    export interface Placement {
        /**
         * georeferenced (the GeoTIFF's own transform and CRS), bounds, center+gsd, or center+default-gsd (latitude and longitude only: the gsd is assumed).
         */
        method: string;
        /**
         * Ground sample distance used, given or assumed.
         *
         * Default: null
         */
        gsd_m: null | number;
        /**
         * True when the gsd was assumed: positions away from the center are scaled by a guess.
         */
        approximate: boolean;
    }
    export const ExtentsTrimmedSchema = "{\"type\":\"record\",\"name\":\"ExtentsTrimmed\",\"fields\":[{\"name\":\"dropped_extents\",\"type\":\"int\",\"doc\":\"Extents left out (the smallest by area, of any class).\"},{\"name\":\"dropped_area_km2\",\"type\":\"double\",\"doc\":\"Their area together.\"},{\"name\":\"classes\",\"type\":{\"type\":\"array\",\"items\":\"string\"},\"doc\":\"Classes that lost extents.\"},{\"name\":\"max_vertices\",\"type\":\"int\",\"doc\":\"The bound on the vertices of all extents of a result.\"}]}";
    export const ExtentsTrimmedName = "dev.hazardflow.ExtentsTrimmed";
    export interface ExtentsTrimmed {
        /**
         * Extents left out (the smallest by area, of any class).
         */
        dropped_extents: number;
        /**
         * Their area together.
         */
        dropped_area_km2: number;
        /**
         * Classes that lost extents.
         */
        classes: string[];
        /**
         * The bound on the vertices of all extents of a result.
         */
        max_vertices: number;
    }
    export const AnalysisResultSchema = "{\"type\":\"record\",\"name\":\"AnalysisResult\",\"namespace\":\"dev.hazardflow\",\"doc\":\"Detections and image-level risk for one scene, published to ml.results keyed by image_id.\",\"fields\":[{\"name\":\"image_id\",\"type\":\"string\"},{\"name\":\"status\",\"type\":{\"type\":\"enum\",\"name\":\"AnalysisStatus\",\"symbols\":[\"completed\",\"failed\"]}},{\"name\":\"model\",\"type\":{\"type\":\"record\",\"name\":\"ModelInfo\",\"fields\":[{\"name\":\"name\",\"type\":\"string\"},{\"name\":\"version\",\"type\":\"string\"}]}},{\"name\":\"detections\",\"type\":{\"type\":\"array\",\"items\":{\"type\":\"record\",\"name\":\"Detection\",\"fields\":[{\"name\":\"class\",\"type\":\"string\",\"doc\":\"landslide, flood, water_body or vegetation_loss (the model manifest's names).\"},{\"name\":\"confidence\",\"type\":\"double\"},{\"name\":\"bbox\",\"type\":{\"type\":\"array\",\"items\":\"double\"},\"doc\":\"[x1, y1, x2, y2] in scene pixels.\"},{\"name\":\"area_px\",\"type\":\"double\"},{\"name\":\"area_m2\",\"type\":[\"null\",\"double\"],\"default\":null},{\"name\":\"latitude\",\"type\":[\"null\",\"double\"],\"default\":null,\"doc\":\"Center of the box, when the footprint is known.\"},{\"name\":\"longitude\",\"type\":[\"null\",\"double\"],\"default\":null}]}}},{\"name\":\"landslide_probability\",\"type\":\"double\"},{\"name\":\"flood_probability\",\"type\":\"double\"},{\"name\":\"landslide_detections_count\",\"type\":\"int\"},{\"name\":\"flood_detections_count\",\"type\":\"int\"},{\"name\":\"confidence_score\",\"type\":\"double\"},{\"name\":\"risk_level\",\"type\":{\"type\":\"enum\",\"name\":\"RiskLevel\",\"symbols\":[\"low\",\"medium\",\"high\",\"critical\"]}},{\"name\":\"risk_policy\",\"type\":\"string\",\"doc\":\"Version of the scoring function that produced risk_level, e.g. risk-v1.\"},{\"name\":\"processing_time_ms\",\"type\":\"double\"},{\"name\":\"tiles\",\"type\":\"int\"},{\"name\":\"cached\",\"type\":\"boolean\",\"doc\":\"True when served by content-hash dedupe without inference.\"},{\"name\":\"captured_at\",\"type\":{\"type\":\"long\",\"logicalType\":\"timestamp-millis\"},\"doc\":\"Copied from the ImageRef: event time for the alert windows.\"},{\"name\":\"completed_at\",\"type\":{\"type\":\"long\",\"logicalType\":\"timestamp-millis\"}},{\"name\":\"sha256\",\"type\":\"string\"},{\"name\":\"uri\",\"type\":\"string\"},{\"name\":\"ground_station\",\"type\":\"string\"},{\"name\":\"image_width\",\"type\":\"int\"},{\"name\":\"image_height\",\"type\":\"int\"},{\"name\":\"center_lat\",\"type\":[\"null\",\"double\"],\"default\":null},{\"name\":\"center_lon\",\"type\":[\"null\",\"double\"],\"default\":null},{\"name\":\"error\",\"type\":[\"null\",\"string\"],\"default\":null,\"doc\":\"Why status is failed.\"},{\"name\":\"trace_id\",\"type\":\"string\"},{\"name\":\"crs\",\"type\":[\"null\",\"string\"],\"default\":null,\"doc\":\"CRS of the scene's pixels as the file gives it, e.g. EPSG:32618; null for scenes placed by the ImageRef footprint.\"},{\"name\":\"sensor_profile\",\"type\":[\"null\",\"string\"],\"default\":null,\"doc\":\"Sensor profile the bands were read with (see ImageRef.sensor_profile).\"},{\"name\":\"bands\",\"type\":[\"null\",{\"type\":\"array\",\"items\":\"string\"}],\"default\":null,\"doc\":\"Names of the scene's bands in file order.\"},{\"name\":\"footprint\",\"type\":[\"null\",{\"type\":\"array\",\"items\":{\"type\":\"array\",\"items\":{\"type\":\"array\",\"items\":\"double\"}}}],\"default\":null,\"doc\":\"The scene's outline in WGS84 as GeoJSON Polygon coordinates: rings of [longitude, latitude], the first ring the outer one, counter-clockwise (RFC 7946), closed.\"},{\"name\":\"extents\",\"doc\":\"Areas a segmentation model found, in WGS84; null from detection-only models.\",\"type\":[\"null\",{\"type\":\"array\",\"items\":{\"type\":\"record\",\"name\":\"Extent\",\"fields\":[{\"name\":\"class\",\"type\":\"string\",\"doc\":\"water, flood, \u2026 (the model manifest's names).\"},{\"name\":\"polygons\",\"type\":{\"type\":\"array\",\"items\":{\"type\":\"array\",\"items\":{\"type\":\"array\",\"items\":{\"type\":\"array\",\"items\":\"double\"}}}},\"doc\":\"GeoJSON MultiPolygon coordinates: polygons, each rings of [longitude, latitude] (outer ring counter-clockwise, holes clockwise, closed).\"},{\"name\":\"area_km2\",\"type\":\"double\"},{\"name\":\"mean_probability\",\"type\":\"double\",\"doc\":\"Mean class probability over the extent's pixels.\"}]}}],\"default\":null},{\"name\":\"placement\",\"doc\":\"How the detections were placed on Earth; null when they were not (no footprint).\",\"type\":[\"null\",{\"type\":\"record\",\"name\":\"Placement\",\"fields\":[{\"name\":\"method\",\"type\":\"string\",\"doc\":\"georeferenced (the GeoTIFF's own transform and CRS), bounds, center+gsd, or center+default-gsd (latitude and longitude only: the gsd is assumed).\"},{\"name\":\"gsd_m\",\"type\":[\"null\",\"double\"],\"default\":null,\"doc\":\"Ground sample distance used, given or assumed.\"},{\"name\":\"approximate\",\"type\":\"boolean\",\"doc\":\"True when the gsd was assumed: positions away from the center are scaled by a guess.\"}]}],\"default\":null},{\"name\":\"extents_trimmed\",\"doc\":\"Set when the scene's extents were more than a result carries (HAZARDFLOW_MAX_EXTENT_VERTICES): the smallest were left out; null when extents holds everything the models found.\",\"type\":[\"null\",{\"type\":\"record\",\"name\":\"ExtentsTrimmed\",\"fields\":[{\"name\":\"dropped_extents\",\"type\":\"int\",\"doc\":\"Extents left out (the smallest by area, of any class).\"},{\"name\":\"dropped_area_km2\",\"type\":\"double\",\"doc\":\"Their area together.\"},{\"name\":\"classes\",\"type\":{\"type\":\"array\",\"items\":\"string\"},\"doc\":\"Classes that lost extents.\"},{\"name\":\"max_vertices\",\"type\":\"int\",\"doc\":\"The bound on the vertices of all extents of a result.\"}]}],\"default\":null},{\"name\":\"fused_images\",\"doc\":\"image_ids of scenes of the same pixel grid, captured within the fused model's pairing window, whose bands the model read together with this scene's (e.g. a Sentinel-1 scene for a Sentinel-2 one that arrived apart); null when none.\",\"type\":[\"null\",{\"type\":\"array\",\"items\":\"string\"}],\"default\":null},{\"name\":\"detection_extents\",\"doc\":\"Outlines of a segmentation detector's regions (hazard-index-v2: landslide, flood, water_body), one Extent per detection with its islands, mean_probability its confidence; null from box detectors. Apart from extents, which are the segmentation models' (the alerts' water and vegetation looks read those).\",\"type\":[\"null\",{\"type\":\"array\",\"items\":\"Extent\"}],\"default\":null}]}";
    export const AnalysisResultName = "dev.hazardflow.AnalysisResult";
    /**
     * Detections and image-level risk for one scene, published to ml.results keyed by image_id.
     */
    export interface AnalysisResult {
        image_id: string;
        status: DevHazardflow.AnalysisStatus;
        model: DevHazardflow.ModelInfo;
        detections: DevHazardflow.Detection[];
        landslide_probability: number;
        flood_probability: number;
        landslide_detections_count: number;
        flood_detections_count: number;
        confidence_score: number;
        risk_level: DevHazardflow.RiskLevel;
        /**
         * Version of the scoring function that produced risk_level, e.g. risk-v1.
         */
        risk_policy: string;
        processing_time_ms: number;
        tiles: number;
        /**
         * True when served by content-hash dedupe without inference.
         */
        cached: boolean;
        /**
         * Copied from the ImageRef: event time for the alert windows.
         */
        captured_at: number;
        completed_at: number;
        sha256: string;
        uri: string;
        ground_station: string;
        image_width: number;
        image_height: number;
        /**
         * Default: null
         */
        center_lat: null | number;
        /**
         * Default: null
         */
        center_lon: null | number;
        /**
         * Why status is failed.
         *
         * Default: null
         */
        error: null | string;
        trace_id: string;
        /**
         * CRS of the scene's pixels as the file gives it, e.g. EPSG:32618; null for scenes placed by the ImageRef footprint.
         *
         * Default: null
         */
        crs: null | string;
        /**
         * Sensor profile the bands were read with (see ImageRef.sensor_profile).
         *
         * Default: null
         */
        sensor_profile: null | string;
        /**
         * Names of the scene's bands in file order.
         *
         * Default: null
         */
        bands: null | string[];
        /**
         * The scene's outline in WGS84 as GeoJSON Polygon coordinates: rings of [longitude, latitude], the first ring the outer one, counter-clockwise (RFC 7946), closed.
         *
         * Default: null
         */
        footprint: null | number[][][];
        /**
         * Areas a segmentation model found, in WGS84; null from detection-only models.
         *
         * Default: null
         */
        extents: null | DevHazardflow.Extent[];
        /**
         * How the detections were placed on Earth; null when they were not (no footprint).
         *
         * Default: null
         */
        placement: null | DevHazardflow.Placement;
        /**
         * Set when the scene's extents were more than a result carries (HAZARDFLOW_MAX_EXTENT_VERTICES): the smallest were left out; null when extents holds everything the models found.
         *
         * Default: null
         */
        extents_trimmed: null | DevHazardflow.ExtentsTrimmed;
        /**
         * image_ids of scenes of the same pixel grid, captured within the fused model's pairing window, whose bands the model read together with this scene's (e.g. a Sentinel-1 scene for a Sentinel-2 one that arrived apart); null when none.
         *
         * Default: null
         */
        fused_images: null | string[];
        /**
         * Outlines of a segmentation detector's regions (hazard-index-v2: landslide, flood, water_body), one Extent per detection with its islands, mean_probability its confidence; null from box detectors. Apart from extents, which are the segmentation models' (the alerts' water and vegetation looks read those).
         *
         * Default: null
         */
        detection_extents: null | DevHazardflow.Extent[];
    }
}
