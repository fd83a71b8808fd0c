// Generated from schemas/CellAssessment.avsc by schemas/generateTypes.ts. Do not edit.
/* eslint-disable */
/* eslint-disable @typescript-eslint/no-namespace */

export type CellAssessment = DevHazardflow.CellAssessment;

export namespace DevHazardflow {
    export const HazardSchema = "{\"type\":\"enum\",\"name\":\"Hazard\",\"symbols\":[\"landslide\",\"flood\"]}";
    export const HazardName = "dev.hazardflow.Hazard";
    export type Hazard = "landslide" | "flood";
    export const RiskLevelSchema = "{\"type\":\"enum\",\"name\":\"RiskLevel\",\"symbols\":[\"low\",\"medium\",\"high\",\"critical\"]}";
    export const RiskLevelName = "dev.hazardflow.RiskLevel";
    export type RiskLevel = "low" | "medium" | "high" | "critical";
    export const CellAssessmentSchema = "{\"type\":\"record\",\"name\":\"CellAssessment\",\"namespace\":\"dev.hazardflow\",\"doc\":\"Evidence of one hazard in one H3 cell from one image; hazard.assessments keyed by cell (the alerts topology's repartition topic).\",\"fields\":[{\"name\":\"cell\",\"type\":\"string\",\"doc\":\"H3 cell index.\"},{\"name\":\"image_id\",\"type\":\"string\"},{\"name\":\"hazard\",\"type\":{\"type\":\"enum\",\"name\":\"Hazard\",\"symbols\":[\"landslide\",\"flood\"]}},{\"name\":\"probability\",\"type\":\"double\"},{\"name\":\"confidence\",\"type\":\"double\",\"doc\":\"Highest detection confidence of this hazard in the cell.\"},{\"name\":\"detections\",\"type\":\"int\"},{\"name\":\"risk_level\",\"type\":{\"type\":\"enum\",\"name\":\"RiskLevel\",\"symbols\":[\"low\",\"medium\",\"high\",\"critical\"]}},{\"name\":\"latitude\",\"type\":\"double\"},{\"name\":\"longitude\",\"type\":\"double\"},{\"name\":\"event_time\",\"type\":{\"type\":\"long\",\"logicalType\":\"timestamp-millis\"},\"doc\":\"captured_at of the image.\"},{\"name\":\"model_version\",\"type\":\"string\"},{\"name\":\"water_share\",\"type\":[\"null\",\"double\"],\"default\":null,\"doc\":\"Set on a water look (a segmentation model's extents over the cell): share of the cell's seen area that was water; the windows stage judges it against the cell's earlier looks (flood or permanent water). hazard is flood, probability and confidence the water's mean probability.\"},{\"name\":\"seen_km2\",\"type\":[\"null\",\"double\"],\"default\":null,\"doc\":\"Area of the cell the scene covered (water and vegetation looks only).\"},{\"name\":\"flooded_share\",\"type\":[\"null\",\"double\"],\"default\":null,\"doc\":\"Set on a water look where the operator's reference water layer covered the cell (the result's reference_coverage extents): share of the covered area that was flood (water where the layer says land). The windows stage takes it instead of the learned reference. Null: the layer did not cover the cell.\"},{\"name\":\"vegetation_share\",\"type\":[\"null\",\"double\"],\"default\":null,\"doc\":\"Set on a vegetation look (a vegetation model's extents over the cell): share of the cell's seen area that was vegetated; with bare_share, the windows stage judges it against the cell's earlier looks (landslide: bare soil where they saw vegetation). hazard is landslide, probability and confidence the bare soil's mean probability.\"},{\"name\":\"bare_share\",\"type\":[\"null\",\"double\"],\"default\":null,\"doc\":\"Share of the cell's seen area that was bare soil (vegetation looks only).\"}]}";
    export const CellAssessmentName = "dev.hazardflow.CellAssessment";
    /**
     * Evidence of one hazard in one H3 cell from one image; hazard.assessments keyed by cell (the alerts topology's repartition topic).
     */
    export interface CellAssessment {
        /**
         * H3 cell index.
         */
        cell: string;
        image_id: string;
        hazard: DevHazardflow.Hazard;
        probability: number;
        /**
         * Highest detection confidence of this hazard in the cell.
         */
        confidence: number;
        detections: number;
        risk_level: DevHazardflow.RiskLevel;
        latitude: number;
        longitude: number;
        /**
         * captured_at of the image.
         */
        event_time: number;
        model_version: string;
        /**
         * Set on a water look (a segmentation model's extents over the cell): share of the cell's seen area that was water; the windows stage judges it against the cell's earlier looks (flood or permanent water). hazard is flood, probability and confidence the water's mean probability.
         *
         * Default: null
         */
        water_share: null | number;
        /**
         * Area of the cell the scene covered (water and vegetation looks only).
         *
         * Default: null
         */
        seen_km2: null | number;
        /**
         * Set on a water look where the operator's reference water layer covered the cell (the result's reference_coverage extents): share of the covered area that was flood (water where the layer says land). The windows stage takes it instead of the learned reference. Null: the layer did not cover the cell.
         *
         * Default: null
         */
        flooded_share: null | number;
        /**
         * Set on a vegetation look (a vegetation model's extents over the cell): share of the cell's seen area that was vegetated; with bare_share, the windows stage judges it against the cell's earlier looks (landslide: bare soil where they saw vegetation). hazard is landslide, probability and confidence the bare soil's mean probability.
         *
         * Default: null
         */
        vegetation_share: null | number;
        /**
         * Share of the cell's seen area that was bare soil (vegetation looks only).
         *
         * Default: null
         */
        bare_share: null | number;
    }
}
