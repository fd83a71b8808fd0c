/**
 * A scene that can never be analysed still gets an answer on ml.results (status failed, with the reason), so that
 * whoever waits for its result (the REST API's GET /results/{image_id}, the MySQL sink's processing_status) sees
 * "failed" instead of "processing" forever. Its DeadLetter goes out beside it, in the same transaction.
 */
import { map, type OperatorFunction } from 'rxjs';
import { deadLetterFor } from '../../pipeline/deadLetterEnvelope.ts';
import { ok, type Failed, type Failure, type Item, type OutputRecord } from '../../pipeline/types.ts';
import type { AnalysisResult, DevHazardflow as Result } from '../../schemas/generated/AnalysisResult.ts';
import type { ImageRef } from '../../schemas/generated/ImageRef.ts';
import { footprintProblem } from './scenePlacement.ts';
import { RISK_POLICY_V1 } from '../../model/scoreRisk.ts';

/** The status=failed AnalysisResult of a reference, with the failure's code and message as its error. */
export function failedResult(ref: ImageRef, failure: Failure, model: Result.ModelInfo, completedAt: number): AnalysisResult {
  const center = ref.footprint && !footprintProblem(ref) ? ref.footprint : null;
  return {
    image_id: ref.image_id,
    status: 'failed',
    model,
    detections: [],
    landslide_probability: 0,
    flood_probability: 0,
    landslide_detections_count: 0,
    flood_detections_count: 0,
    confidence_score: 0,
    risk_level: 'low',
    risk_policy: RISK_POLICY_V1,
    processing_time_ms: 0,
    tiles: 0,
    cached: false,
    captured_at: ref.captured_at,
    completed_at: completedAt,
    sha256: ref.sha256,
    uri: ref.uri,
    ground_station: ref.ground_station,
    image_width: 0,
    image_height: 0,
    center_lat: center?.center_lat ?? null,
    center_lon: center?.center_lon ?? null,
    error: `${failure.code} (${failure.stage}): ${failure.message}`.slice(0, 2000),
    trace_id: ref.trace_id,
    crs: null,
    sensor_profile: ref.sensor_profile,
    bands: ref.band_names,
    footprint: null,
    extents: null,
    extents_trimmed: null,
    fused_images: null,
    detection_extents: null,
    placement: null,
  };
}

/**
 * What a failed record writes beside its dead letter: its status=failed result on `resultsTopic`; nothing for a
 * record that was never an ImageRef (undecodable: no image to answer for).
 */
export function failedResultOutputs(item: Failed, resultsTopic: string, model: Result.ModelInfo, now: number = Date.now()): OutputRecord[] {
  const ref = item.record.value as ImageRef | undefined;
  return ref ? [{ topic: resultsTopic, key: ref.image_id, value: failedResult(ref, item.failure, model, now) }] : [];
}

export interface FailureOutputs {
  resultsTopic: string;
  dlqTopic: string;
  model: Result.ModelInfo;
  /** Called for each dead letter written here (the core's dead-letter metric). */
  onDeadLetter?: (item: Failed) => void;
}

/**
 * Ends a failed record with two outputs instead of the core's dead letter alone: its status=failed result on
 * ml.results and its DeadLetter on the dead-letter topic, both committed with its offset.
 *
 * @example stages$.pipe(publishFailures({ resultsTopic, dlqTopic, model }))
 */
export function publishFailures(options: FailureOutputs): OperatorFunction<Item<OutputRecord[]>, Item<OutputRecord[]>> {
  return map((item) => {
    if (item.ok) return item;
    const now = Date.now();
    options.onDeadLetter?.(item);
    return ok(item.record, [
      ...failedResultOutputs(item, options.resultsTopic, options.model, now),
      { topic: options.dlqTopic, key: item.record.raw.key, value: deadLetterFor(item, now) },
    ]);
  });
}
