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
    export const PlacementSchema = "{\"type\":\"record\",\"name\":\"Placement\",\"fields\":[{\"name\":\"method\",\"type\":\"string\",\"doc\":\"bounds, center+gsd, or center+default-gsd (latitude and longitude only: the gsd is assumed).\"},{\"name\":\"gsd_m\",\"type\":[\"null\",\"double\"],\"default\":null,\"doc\":\"Ground sample distance used, given or assumed.\"},{\"name\":\"approximate\",\"type\":\"boolean\",\"doc\":\"True when the gsd was assumed: positions away from the center are scaled by a guess.\"}]}";
    export const PlacementName = "dev.hazardflow.Placement";
    export interface Placement {
        /**
         * bounds, center+gsd, or center+default-gsd (latitude and longitude only: the gsd is assumed).
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
    export const AnalysisResultSchema = "{\"type\":\"record\",\"name\":\"AnalysisResult\",\"namespace\":\"dev.hazardflow\",\"doc\":\"Detections and image-level risk for one scene, published to ml.results keyed by image_id.\",\"fields\":[{\"name\":\"image_id\",\"type\":\"string\"},{\"name\":\"status\",\"type\":{\"type\":\"enum\",\"name\":\"AnalysisStatus\",\"symbols\":[\"completed\",\"failed\"]}},{\"name\":\"model\",\"type\":{\"type\":\"record\",\"name\":\"ModelInfo\",\"fields\":[{\"name\":\"name\",\"type\":\"string\"},{\"name\":\"version\",\"type\":\"string\"}]}},{\"name\":\"detections\",\"type\":{\"type\":\"array\",\"items\":{\"type\":\"record\",\"name\":\"Detection\",\"fields\":[{\"name\":\"class\",\"type\":\"string\",\"doc\":\"landslide, flood, water_body or vegetation_loss (the model manifest's names).\"},{\"name\":\"confidence\",\"type\":\"double\"},{\"name\":\"bbox\",\"type\":{\"type\":\"array\",\"items\":\"double\"},\"doc\":\"[x1, y1, x2, y2] in scene pixels.\"},{\"name\":\"area_px\",\"type\":\"double\"},{\"name\":\"area_m2\",\"type\":[\"null\",\"double\"],\"default\":null},{\"name\":\"latitude\",\"type\":[\"null\",\"double\"],\"default\":null,\"doc\":\"Center of the box, when the footprint is known.\"},{\"name\":\"longitude\",\"type\":[\"null\",\"double\"],\"default\":null}]}}},{\"name\":\"landslide_probability\",\"type\":\"double\"},{\"name\":\"flood_probability\",\"type\":\"double\"},{\"name\":\"landslide_detections_count\",\"type\":\"int\"},{\"name\":\"flood_detections_count\",\"type\":\"int\"},{\"name\":\"confidence_score\",\"type\":\"double\"},{\"name\":\"risk_level\",\"type\":{\"type\":\"enum\",\"name\":\"RiskLevel\",\"symbols\":[\"low\",\"medium\",\"high\",\"critical\"]}},{\"name\":\"risk_policy\",\"type\":\"string\",\"doc\":\"Version of the scoring function that produced risk_level, e.g. risk-v1.\"},{\"name\":\"processing_time_ms\",\"type\":\"double\"},{\"name\":\"tiles\",\"type\":\"int\"},{\"name\":\"cached\",\"type\":\"boolean\",\"doc\":\"True when served by content-hash dedupe without inference.\"},{\"name\":\"captured_at\",\"type\":{\"type\":\"long\",\"logicalType\":\"timestamp-millis\"},\"doc\":\"Copied from the ImageRef: event time for the alert windows.\"},{\"name\":\"completed_at\",\"type\":{\"type\":\"long\",\"logicalType\":\"timestamp-millis\"}},{\"name\":\"sha256\",\"type\":\"string\"},{\"name\":\"uri\",\"type\":\"string\"},{\"name\":\"ground_station\",\"type\":\"string\"},{\"name\":\"image_width\",\"type\":\"int\"},{\"name\":\"image_height\",\"type\":\"int\"},{\"name\":\"center_lat\",\"type\":[\"null\",\"double\"],\"default\":null},{\"name\":\"center_lon\",\"type\":[\"null\",\"double\"],\"default\":null},{\"name\":\"error\",\"type\":[\"null\",\"string\"],\"default\":null,\"doc\":\"Why status is failed.\"},{\"name\":\"trace_id\",\"type\":\"string\"},{\"name\":\"placement\",\"doc\":\"How the detections were placed on Earth; null when they were not (no footprint).\",\"type\":[\"null\",{\"type\":\"record\",\"name\":\"Placement\",\"fields\":[{\"name\":\"method\",\"type\":\"string\",\"doc\":\"bounds, center+gsd, or center+default-gsd (latitude and longitude only: the gsd is assumed).\"},{\"name\":\"gsd_m\",\"type\":[\"null\",\"double\"],\"default\":null,\"doc\":\"Ground sample distance used, given or assumed.\"},{\"name\":\"approximate\",\"type\":\"boolean\",\"doc\":\"True when the gsd was assumed: positions away from the center are scaled by a guess.\"}]}],\"default\":null}]}";
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
         * How the detections were placed on Earth; null when they were not (no footprint).
         *
         * Default: null
         */
        placement: null | DevHazardflow.Placement;
    }
}
