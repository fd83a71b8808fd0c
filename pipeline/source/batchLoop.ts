/**
 * The consumer's batch loop: what kafkajs's eachBatch does with a fetched batch, record by record. Why its own
 * module: it is where the other parts meet in order (the generation's readiness and position check, the bound,
 * decoding, offset tracking, the yields that let commits overlap emission), and reading it in one place is how
 * one checks "every fetched record is emitted once, or left for kafkajs to fetch again".
 */
import type { EachBatchPayload, KafkaMessage } from 'kafkajs';
import type { InFlightBound } from '../inFlightBound.ts';
import type { SourceRecord } from '../kafkaSource.ts';
import type { Logger } from '../logger.ts';
import type { PipelineMetrics } from '../metrics.ts';
import { failed, ok, type InputRecord, type Item, type TopicPartition } from '../types.ts';
import type { Backpressure } from './backpressure.ts';
import type { PartitionProgress, Tracked } from '../offsets/partitionProgress.ts';
import type { Decoded } from './decodeValue.ts';
import type { PartitionGenerations, PartitionState } from './partitionGenerations.ts';

export interface BatchLoopOptions<P> {
  topology: string;
  generations: PartitionGenerations<P>;
  backpressure: Backpressure;
  bound: InFlightBound;
  decode(message: KafkaMessage): Decoded | Promise<Decoded>;
  seek(tp: TopicPartition, offset: string): void;
  /** Commit soon: a record was acked while paused, or half the bound is in flight. */
  requestFlush(): void;
  updateGauges(): void;
  stopping(): boolean;
  /** Resolves (with null) when a stop begins: a batch waiting for its generation's preparation returns then. */
  stopSignal: Promise<null>;
  metrics: PipelineMetrics;
  logger: Logger;
}

// Records emitted from a batch between two chances for I/O, commits and timers to run. A transaction takes several
// round trips, each answered only at a yield: with yields 5000 records apart (the default bound) no commit could
// start before the bound was full, so every commit paused the consumer (bench/pipeline.ts, identity topology:
// 11 pauses per 50,000 records with yields 5000 apart, 0–1 with yields 100 apart and a commit at half the bound).
const YIELD_EVERY = 100;

/** The headers of a record that has none (nearly all): shared, and frozen since InputRecord.headers is read-only. */
const noHeaders: Readonly<Record<string, string>> = Object.freeze({});

export function headersOf(message: Pick<KafkaMessage, 'headers'>): Readonly<Record<string, string>> {
  // Once per record: for…in, not Object.entries, which builds an array of pairs even for no headers at all, and no
  // object of its own for a record without headers.
  let out: Record<string, string> | undefined;
  const { headers } = message;
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined) continue;
    out ??= {};
    out[name] = Array.isArray(value) ? value.map(String).join(',') : String(value);
  }
  return out ?? noHeaders;
}

export function batchLoop<V, P>(options: BatchLoopOptions<P>) {
  const { generations, backpressure, bound, metrics, logger, topology, stopping } = options;

  const eachBatch = async (payload: EachBatchPayload, emit: (record: SourceRecord<V, P>) => void) => {
    const { batch } = payload;
    const tp = { topic: batch.topic, partition: batch.partition };
    if (stopping()) return;
    const state = generations.current(tp);
    // No state: the partition was fenced (and paused) and waits for the next assignment. Starting one here
    // would fence the partition's rightful owner from a process that no longer owns it.
    if (!state) return;
    logger.debug({ ...tp, records: batch.messages.length, firstOffset: batch.firstOffset() }, 'batch');
    // kafkajs leaves the group only once this batch returns: a stop must not wait here for a fence to finish.
    const resumeAt = await Promise.race([state.ready, options.stopSignal]);
    if (stopping()) return;
    const first = batch.firstOffset();
    if (!state.positionChecked && resumeAt !== null) {
      state.positionChecked = true;
      if (first !== null && BigInt(first) > BigInt(resumeAt)) {
        // The consumer is ahead of the committed offset (records of a dropped generation or of a failed
        // transaction were fetched but never committed): fetch again from the commit, or they would be skipped.
        options.seek(tp, resumeAt);
        return;
      }
    }
    state.reading = true;
    // Offsets rise within a batch: only a batch that starts below where the partition resumes has records to skip,
    // and only those checks parse an offset (a BigInt per record otherwise, in every batch of a generation).
    const skipBelow = resumeAt === null || first === null || BigInt(first) >= BigInt(resumeAt) ? null : BigInt(resumeAt);
    metrics.consumerLag.set({ topology, topic: tp.topic, partition: String(tp.partition) }, Number(batch.offsetLagLow()));
    let emitted = 0;
    let counted = 0;
    let readAll = true;
    const countIn = () => {
      if (emitted > counted) metrics.recordsIn.inc({ topology, topic: tp.topic }, emitted - counted);
      counted = emitted;
    };
    const gone = () => state.discarded || stopping() || !payload.isRunning() || payload.isStale();
    // What changes only while the loop awaits is looked at only after an await: kafkajs's isStale() (a seek, which
    // only a commit's failure path or a rejoin makes, never the synchronous emission) builds a string key per call,
    // and resolveOffset parses a Long per call; the loop resolves the last record it is done with before each await
    // and when it leaves, which is what kafkajs keeps (the offset after the last one resolved) and when it reads it.
    let awaited = true;
    let unresolved: string | null = null;
    const resolvePending = () => {
      if (unresolved !== null) payload.resolveOffset(unresolved);
      unresolved = null;
    };
    for (const message of batch.messages) {
      if (awaited ? gone() : state.discarded || stopping()) {
        readAll = false;
        break;
      }
      awaited = false;
      if (skipBelow !== null && BigInt(message.offset) < skipBelow) {
        // Committed by the partition's previous owner after our consumer had read the group's offsets.
        unresolved = message.offset;
        continue;
      }
      const sizeBytes = (message.key?.length ?? 0) + (message.value?.length ?? 0);
      if (!bound.hasRoom(sizeBytes)) {
        backpressure.pause();
        countIn();
        resolvePending();
        await backpressure.waitForRoom(payload, () => state.discarded);
        if (gone()) {
          readAll = false;
          break;
        }
      }
      const maybeDecoded = options.decode(message);
      let decoded: Decoded;
      if (maybeDecoded instanceof Promise) {
        resolvePending();
        decoded = await maybeDecoded;
        awaited = true;
      } else decoded = maybeDecoded;
      if (state.discarded) {
        readAll = false;
        break;
      }
      emit(track(state, message, sizeBytes, decoded));
      emitted += 1;
      unresolved = message.offset;
      if (emitted % YIELD_EVERY === 0) {
        // Most records are decoded, processed and acked synchronously: once half the bound is in flight, commit
        // what is done while the rest of the batch is emitted, instead of pausing at the bound and committing then.
        if (bound.halfFull) options.requestFlush();
        countIn();
        resolvePending();
        await new Promise((resolve) => setImmediate(resolve));
        awaited = true;
      }
    }
    resolvePending();
    // The batch's last offset counts the transaction markers after its last record: kafkajs reads on after them.
    const last = batch.lastOffset();
    if (readAll && !state.discarded && last !== null) state.progress.passed(last);
    countIn();
    options.updateGauges();
    await payload.heartbeat();
  };

  /** Counts a record in flight and builds what is emitted for it, with its ack. */
  const track = (state: PartitionState<P>, message: KafkaMessage, sizeBytes: number, decoded: Decoded): SourceRecord<V, P> => {
    const record: InputRecord = {
      topic: state.tp.topic,
      partition: state.tp.partition,
      offset: message.offset,
      key: message.key === null ? null : message.key.toString('utf8'),
      value: 'value' in decoded ? decoded.value : undefined,
      headers: headersOf(message),
      timestamp: message.timestamp,
      raw: { key: message.key, value: message.value },
      sizeBytes,
    };
    const tracked = state.progress.track(message.offset, sizeBytes);
    bound.add(sizeBytes);
    const item: Item<V> = 'value' in decoded ? ok(record, decoded.value as V) : failed(record, 'deserialize', decoded.error, decoded.attempts);
    return { item, ack: ackOf(state.progress, tracked) };
  };

  // The ack is returned by a function rather than written as `ack: (p) => …`: with esbuild's keepNames (tsx runs
  // with it) a closure written as a property or a const gets its name set by Object.defineProperty each time it is
  // created, here once per record (`set name` in the identity topology's profile); a returned one has no name to keep.
  const ackOf = (progress: PartitionProgress<P>, tracked: Tracked<P>) => (p: P) => {
    progress.finish(tracked, p);
    if (backpressure.paused) options.requestFlush();
  };

  /**
   * A fetch that held only transaction markers (or aborted records) never reaches eachBatch: kafkajs resolves its
   * offset itself and reports it in END_BATCH_PROCESS with batchSize 0 (kafkajs#1256). The partition's commit must
   * move past them too, or a partition ending in markers keeps a lag that no record will ever clear. Only a state
   * whose position eachBatch has checked takes it: before that, the fetch may lie beyond where the state resumes.
   */
  const onMarkersRead = (event: { topic: string; partition: number; batchSize: number; lastOffset: string }) => {
    if (event.batchSize !== 0) return;
    const state = generations.current(event);
    if (!state || !state.reading || state.discarded || stopping()) return;
    state.progress.passed(event.lastOffset);
  };

  return { eachBatch, onMarkersRead };
}
