// Generated from schemas/AlertEvent.avsc by schemas/generateTypes.ts. Do not edit.
/* eslint-disable */
/* eslint-disable @typescript-eslint/no-namespace */

export type AlertEvent = DevHazardflow.AlertEvent;

export namespace DevHazardflow {
    export const MsgTypeSchema = "{\"type\":\"enum\",\"name\":\"MsgType\",\"symbols\":[\"ALERT\",\"UPDATE\",\"CANCEL\"]}";
    export const MsgTypeName = "dev.hazardflow.MsgType";
    export type MsgType = "ALERT" | "UPDATE" | "CANCEL";
    export const HazardSchema = "{\"type\":\"enum\",\"name\":\"Hazard\",\"symbols\":[\"landslide\",\"flood\"]}";
    export const HazardName = "dev.hazardflow.Hazard";
    export type Hazard = "landslide" | "flood";
    export const SeveritySchema = "{\"type\":\"enum\",\"name\":\"Severity\",\"symbols\":[\"low\",\"medium\",\"high\",\"critical\"]}";
    export const SeverityName = "dev.hazardflow.Severity";
    export type Severity = "low" | "medium" | "high" | "critical";
    export const AlertEventSchema = "{\"type\":\"record\",\"name\":\"AlertEvent\",\"namespace\":\"dev.hazardflow\",\"doc\":\"A CAP-like alert message on alerts (and alerts.critical for severity critical), keyed by alert_id.\",\"fields\":[{\"name\":\"alert_id\",\"type\":\"string\",\"doc\":\"Deterministic: derived from cell, hazard and the first window.\"},{\"name\":\"revision\",\"type\":\"int\",\"doc\":\"1 for ALERT, +1 for each UPDATE and the CANCEL.\"},{\"name\":\"msg_type\",\"type\":{\"type\":\"enum\",\"name\":\"MsgType\",\"symbols\":[\"ALERT\",\"UPDATE\",\"CANCEL\"]}},{\"name\":\"hazard\",\"type\":{\"type\":\"enum\",\"name\":\"Hazard\",\"symbols\":[\"landslide\",\"flood\"]}},{\"name\":\"severity\",\"type\":{\"type\":\"enum\",\"name\":\"Severity\",\"symbols\":[\"low\",\"medium\",\"high\",\"critical\"]}},{\"name\":\"cell\",\"type\":\"string\"},{\"name\":\"latitude\",\"type\":\"double\"},{\"name\":\"longitude\",\"type\":\"double\"},{\"name\":\"affected_radius_km\",\"type\":\"double\"},{\"name\":\"probability\",\"type\":\"double\"},{\"name\":\"confidence\",\"type\":\"double\"},{\"name\":\"title\",\"type\":\"string\"},{\"name\":\"description\",\"type\":\"string\"},{\"name\":\"window_start\",\"type\":{\"type\":\"long\",\"logicalType\":\"timestamp-millis\"}},{\"name\":\"window_end\",\"type\":{\"type\":\"long\",\"logicalType\":\"timestamp-millis\"}},{\"name\":\"image_ids\",\"type\":{\"type\":\"array\",\"items\":\"string\"},\"doc\":\"Lineage: the newest images (at most the policy's lineage limit) whose evidence this alert rests on, every image counted since the previous message among them.\"},{\"name\":\"created_at\",\"type\":{\"type\":\"long\",\"logicalType\":\"timestamp-millis\"},\"doc\":\"Event time at which this message was decided (deterministic under replay).\"},{\"name\":\"expires_at\",\"type\":{\"type\":\"long\",\"logicalType\":\"timestamp-millis\"}},{\"name\":\"image_count\",\"type\":\"int\",\"default\":0,\"doc\":\"How many images the alert rests on; image_ids holds the newest of them (the sink's alert_images keeps all, since every image travels in some message).\"}]}";
    export const AlertEventName = "dev.hazardflow.AlertEvent";
    /**
     * A CAP-like alert message on alerts (and alerts.critical for severity critical), keyed by alert_id.
     */
    export interface AlertEvent {
        /**
         * Deterministic: derived from cell, hazard and the first window.
         */
        alert_id: string;
        /**
         * 1 for ALERT, +1 for each UPDATE and the CANCEL.
         */
        revision: number;
        msg_type: DevHazardflow.MsgType;
        hazard: DevHazardflow.Hazard;
        severity: DevHazardflow.Severity;
        cell: string;
        latitude: number;
        longitude: number;
        affected_radius_km: number;
        probability: number;
        confidence: number;
        title: string;
        description: string;
        window_start: number;
        window_end: number;
        /**
         * Lineage: the newest images (at most the policy's lineage limit) whose evidence this alert rests on, every image counted since the previous message among them.
         */
        image_ids: string[];
        /**
         * Event time at which this message was decided (deterministic under replay).
         */
        created_at: number;
        expires_at: number;
        /**
         * How many images the alert rests on; image_ids holds the newest of them (the sink's alert_images keeps all, since every image travels in some message).
         *
         * Default: 0
         */
        image_count: number;
    }
}
