import type { DeadLetter } from '../schemas/generated/DeadLetter.ts';
import type { Failed } from './types.ts';

/**
 * The DeadLetter envelope of a failed record: where it came from, which stage gave up and why, and its bytes
 * exactly as consumed so that it can be inspected and replayed.
 */
export function deadLetterFor(item: Failed, failedAt: number = Date.now()): DeadLetter {
  const { record, failure } = item;
  const imageId = (record.value as { image_id?: unknown } | undefined)?.image_id;
  return {
    source_topic: record.topic,
    source_partition: record.partition,
    source_offset: Number(record.offset),
    stage: failure.stage,
    error_code: failure.code,
    error_message: failure.message,
    attempts: failure.attempts,
    original_key: record.raw.key,
    original_value: record.raw.value,
    original_headers: { ...record.headers },
    image_id: typeof imageId === 'string' ? imageId : null,
    failed_at: failedAt,
  };
}
