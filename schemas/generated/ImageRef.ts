// Generated from schemas/ImageRef.avsc by schemas/generateTypes.ts. Do not edit.
/* eslint-disable */
/* eslint-disable @typescript-eslint/no-namespace */

export type ImageRef = DevHazardflow.ImageRef;

export namespace DevHazardflow {
    export const BoundsSchema = "{\"type\":\"record\",\"name\":\"Bounds\",\"fields\":[{\"name\":\"north\",\"type\":\"double\"},{\"name\":\"south\",\"type\":\"double\"},{\"name\":\"east\",\"type\":\"double\"},{\"name\":\"west\",\"type\":\"double\"}]}";
    export const BoundsName = "dev.hazardflow.Bounds";
    export interface Bounds {
        north: number;
        south: number;
        east: number;
        west: number;
    }
    export const FootprintSchema = "{\"type\":\"record\",\"name\":\"Footprint\",\"fields\":[{\"name\":\"center_lat\",\"type\":\"double\"},{\"name\":\"center_lon\",\"type\":\"double\"},{\"name\":\"bounds\",\"doc\":\"Geographic bounds of the scene's edges (north-up); when absent, gsd_m and the center place it.\",\"type\":[\"null\",{\"type\":\"record\",\"name\":\"Bounds\",\"fields\":[{\"name\":\"north\",\"type\":\"double\"},{\"name\":\"south\",\"type\":\"double\"},{\"name\":\"east\",\"type\":\"double\"},{\"name\":\"west\",\"type\":\"double\"}]}],\"default\":null}]}";
    export const FootprintName = "dev.hazardflow.Footprint";
    export interface Footprint {
        center_lat: number;
        center_lon: number;
        /**
         * Geographic bounds of the scene's edges (north-up); when absent, gsd_m and the center place it.
         *
         * Default: null
         */
        bounds: null | DevHazardflow.Bounds;
    }
    export const PrioritySchema = "{\"type\":\"enum\",\"name\":\"Priority\",\"symbols\":[\"normal\",\"high\",\"batch\"],\"default\":\"normal\"}";
    export const PriorityName = "dev.hazardflow.Priority";
    export type Priority = "normal" | "high" | "batch";
    export const ImageRefSchema = "{\"type\":\"record\",\"name\":\"ImageRef\",\"namespace\":\"dev.hazardflow\",\"doc\":\"A reference to a satellite scene in object storage, published to images.process keyed by image_id. Images never travel through Kafka.\",\"fields\":[{\"name\":\"image_id\",\"type\":\"string\",\"doc\":\"Stable id of the scene (UUID or content-derived).\"},{\"name\":\"uri\",\"type\":\"string\",\"doc\":\"s3://bucket/key of the object in an allowed store.\"},{\"name\":\"sha256\",\"type\":\"string\",\"doc\":\"Lower-case hex SHA-256 of the object's bytes; verified before decoding.\"},{\"name\":\"content_type\",\"type\":\"string\",\"doc\":\"image/jpeg, image/png or image/tiff.\"},{\"name\":\"size_bytes\",\"type\":\"long\"},{\"name\":\"captured_at\",\"type\":{\"type\":\"long\",\"logicalType\":\"timestamp-millis\"},\"doc\":\"Acquisition time: the event time of every window downstream.\"},{\"name\":\"ground_station\",\"type\":\"string\"},{\"name\":\"satellite\",\"type\":[\"null\",\"string\"],\"default\":null},{\"name\":\"sensor\",\"type\":[\"null\",\"string\"],\"default\":null},{\"name\":\"footprint\",\"doc\":\"Where the scene lies; without it detections carry no coordinates. Optional for georeferenced GeoTIFFs, whose own transform and CRS place them; when both are given and disagree by more than the scene's size, the record is a dead letter (FOOTPRINT_MISMATCH).\",\"type\":[\"null\",{\"type\":\"record\",\"name\":\"Footprint\",\"fields\":[{\"name\":\"center_lat\",\"type\":\"double\"},{\"name\":\"center_lon\",\"type\":\"double\"},{\"name\":\"bounds\",\"doc\":\"Geographic bounds of the scene's edges (north-up); when absent, gsd_m and the center place it.\",\"type\":[\"null\",{\"type\":\"record\",\"name\":\"Bounds\",\"fields\":[{\"name\":\"north\",\"type\":\"double\"},{\"name\":\"south\",\"type\":\"double\"},{\"name\":\"east\",\"type\":\"double\"},{\"name\":\"west\",\"type\":\"double\"}]}],\"default\":null}]}],\"default\":null},{\"name\":\"gsd_m\",\"type\":[\"null\",\"double\"],\"default\":null,\"doc\":\"Ground sample distance in metres per pixel.\"},{\"name\":\"priority\",\"type\":{\"type\":\"enum\",\"name\":\"Priority\",\"symbols\":[\"normal\",\"high\",\"batch\"],\"default\":\"normal\"},\"default\":\"normal\"},{\"name\":\"trace_id\",\"type\":\"string\",\"doc\":\"Correlates logs across stages and processes.\"},{\"name\":\"submitted_at\",\"type\":[\"null\",{\"type\":\"long\",\"logicalType\":\"timestamp-millis\"}],\"default\":null},{\"name\":\"sensor_profile\",\"type\":[\"null\",\"string\"],\"default\":null,\"doc\":\"Which band is which and how it scales, named by the producer: sentinel2-l1c, sentinel2-l2a, landsat-c2l2, sentinel1-grd-db, sentinel1-grd-linear, rgb or rgbn. When null, GeoTIFFs are recognised from their band descriptions, other images are rgb.\"},{\"name\":\"band_names\",\"type\":[\"null\",{\"type\":\"array\",\"items\":\"string\"}],\"default\":null,\"doc\":\"Names of the file's bands in order (B1 \u2026 B12, VV, VH, red \u2026), for files without band descriptions; null: the file's own.\"}]}";
    export const ImageRefName = "dev.hazardflow.ImageRef";
    /**
     * A reference to a satellite scene in object storage, published to images.process keyed by image_id. Images never travel through Kafka.
     */
    export interface ImageRef {
        /**
         * Stable id of the scene (UUID or content-derived).
         */
        image_id: string;
        /**
         * s3://bucket/key of the object in an allowed store.
         */
        uri: string;
        /**
         * Lower-case hex SHA-256 of the object's bytes; verified before decoding.
         */
        sha256: string;
        /**
         * image/jpeg, image/png or image/tiff.
         */
        content_type: string;
        size_bytes: number;
        /**
         * Acquisition time: the event time of every window downstream.
         */
        captured_at: number;
        ground_station: string;
        /**
         * Default: null
         */
        satellite: null | string;
        /**
         * Default: null
         */
        sensor: null | string;
        /**
         * Where the scene lies; without it detections carry no coordinates. Optional for georeferenced GeoTIFFs, whose own transform and CRS place them; when both are given and disagree by more than the scene's size, the record is a dead letter (FOOTPRINT_MISMATCH).
         *
         * Default: null
         */
        footprint: null | DevHazardflow.Footprint;
        /**
         * Ground sample distance in metres per pixel.
         *
         * Default: null
         */
        gsd_m: null | number;
        /**
         * Default: "normal"
         */
        priority: DevHazardflow.Priority;
        /**
         * Correlates logs across stages and processes.
         */
        trace_id: string;
        /**
         * Default: null
         */
        submitted_at: null | number;
        /**
         * Which band is which and how it scales, named by the producer: sentinel2-l1c, sentinel2-l2a, landsat-c2l2, sentinel1-grd-db, sentinel1-grd-linear, rgb or rgbn. When null, GeoTIFFs are recognised from their band descriptions, other images are rgb.
         *
         * Default: null
         */
        sensor_profile: null | string;
        /**
         * Names of the file's bands in order (B1 … B12, VV, VH, red …), for files without band descriptions; null: the file's own.
         *
         * Default: null
         */
        band_names: null | string[];
    }
}
