// Generated from schemas/DeadLetter.avsc by schemas/generateTypes.ts. Do not edit.
/* eslint-disable */
/* eslint-disable @typescript-eslint/no-namespace */

export type DeadLetter = DevHazardflow.DeadLetter;

export namespace DevHazardflow {
    export const DeadLetterSchema = "{\"type\":\"record\",\"name\":\"DeadLetter\",\"namespace\":\"dev.hazardflow\",\"doc\":\"A record that can never succeed, with why and where it came from; images.dlq keyed by the original key.\",\"fields\":[{\"name\":\"source_topic\",\"type\":\"string\"},{\"name\":\"source_partition\",\"type\":\"int\"},{\"name\":\"source_offset\",\"type\":\"long\"},{\"name\":\"stage\",\"type\":\"string\",\"doc\":\"The stage that gave up, e.g. fetch, decode, deserialize, window.\"},{\"name\":\"error_code\",\"type\":\"string\",\"doc\":\"Stable code, e.g. CHECKSUM_MISMATCH, IMAGE_TRUNCATED, OBJECT_NOT_ALLOWED, late.\"},{\"name\":\"error_message\",\"type\":\"string\"},{\"name\":\"attempts\",\"type\":\"int\"},{\"name\":\"original_key\",\"type\":[\"null\",\"bytes\"],\"default\":null},{\"name\":\"original_value\",\"type\":[\"null\",\"bytes\"],\"default\":null,\"doc\":\"The record's bytes exactly as consumed.\"},{\"name\":\"original_headers\",\"type\":{\"type\":\"map\",\"values\":\"string\"},\"default\":{}},{\"name\":\"image_id\",\"type\":[\"null\",\"string\"],\"default\":null},{\"name\":\"failed_at\",\"type\":{\"type\":\"long\",\"logicalType\":\"timestamp-millis\"}}]}";
    export const DeadLetterName = "dev.hazardflow.DeadLetter";
    /**
     * A record that can never succeed, with why and where it came from; images.dlq keyed by the original key.
     */
    export interface DeadLetter {
        source_topic: string;
        source_partition: number;
        source_offset: number;
        /**
         * The stage that gave up, e.g. fetch, decode, deserialize, window.
         */
        stage: string;
        /**
         * Stable code, e.g. CHECKSUM_MISMATCH, IMAGE_TRUNCATED, OBJECT_NOT_ALLOWED, late.
         */
        error_code: string;
        error_message: string;
        attempts: number;
        /**
         * Default: null
         */
        original_key: null | Buffer;
        /**
         * The record's bytes exactly as consumed.
         *
         * Default: null
         */
        original_value: null | Buffer;
        /**
         * Default: {}
         */
        original_headers: {
            [index: string]: string;
        };
        /**
         * Default: null
         */
        image_id: null | string;
        failed_at: number;
    }
}
