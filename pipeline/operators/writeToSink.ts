import type { OperatorFunction } from 'rxjs';
import type { ExternalSink } from '../externalSink.ts';
import type { Item, OutputRecord } from '../types.ts';
import { batchStage, type BatchStageOptions } from './batchStage.ts';

/**
 * Writes the `Ok` values to an external store in batches (size or age) and emits each record once its batch is
 * durable, with no Kafka outputs: that is when the core may commit its offset. See ExternalSink for the
 * idempotency the sink owes.
 *
 * @example rows$.pipe(writeToSink(predictionsSink, { maxSize: 500, maxAgeMs: 200 }))
 */
export function writeToSink<T>(sink: ExternalSink<T>, options: BatchStageOptions): OperatorFunction<Item<T>, Item<OutputRecord[]>> {
  return batchStage<T, OutputRecord[]>(
    sink.name,
    async (values) => {
      await sink.write(values);
      return values.map((): OutputRecord[] => []);
    },
    options,
  );
}
