/**
 * One failure classification for the whole pipeline, after KafkaJS's `KafkaJSError` (base with `retriable`)
 * and its non-retriable kinds: the retry operator retries what is retriable, the dead-letter path records the
 * `code` and message of everything else. Stages throw these; anything else thrown is classified by
 * `classifyError`.
 */

/** Stable codes of permanent failures; they end up in DeadLetter.error_code and are matched by operators. */
export const PermanentCode = {
  IMAGE_TRUNCATED: 'IMAGE_TRUNCATED',
  IMAGE_CORRUPT: 'IMAGE_CORRUPT',
  IMAGE_TOO_LARGE: 'IMAGE_TOO_LARGE',
  CHECKSUM_MISMATCH: 'CHECKSUM_MISMATCH',
  OBJECT_NOT_ALLOWED: 'OBJECT_NOT_ALLOWED',
  OBJECT_MISSING: 'OBJECT_MISSING',
  SCHEMA_MISMATCH: 'SCHEMA_MISMATCH',
  UNDECODABLE: 'UNDECODABLE',
  INVALID_COORDINATES: 'INVALID_COORDINATES',
  INVALID_RECORD: 'INVALID_RECORD',
  LATE: 'late',
  /** An event time beyond the clock plus the allowed skew (a producer whose clock runs ahead). */
  FUTURE: 'future',
  /**
   * An output larger than the broker takes (our check before the send, or the broker's MESSAGE_TOO_LARGE /
   * RECORD_LIST_TOO_LARGE): sending it again can never succeed.
   */
  MESSAGE_TOO_LARGE: 'MESSAGE_TOO_LARGE',
  RETRIES_EXHAUSTED: 'RETRIES_EXHAUSTED',
  UNCLASSIFIED: 'UNCLASSIFIED',
} as const;
export type PermanentCodeName = (typeof PermanentCode)[keyof typeof PermanentCode];

/** Base of every pipeline error: says whether trying again can help, and carries a stable code. */
export class PipelineError extends Error {
  readonly retriable: boolean;
  readonly code: string;
  constructor(message: string, options: { code: string; retriable: boolean; cause?: unknown }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = options.code;
    this.retriable = options.retriable;
  }
}

/** A failure that may pass on its own (broker, S3, MySQL, Redis unavailable, timeouts): retried with backoff. */
export class TransientError extends PipelineError {
  constructor(message: string, options: { code?: string; cause?: unknown } = {}) {
    super(message, { code: options.code ?? 'TRANSIENT', retriable: true, cause: options.cause });
  }
}

/** A record that can never succeed (corrupt image, checksum mismatch, …): goes to the dead-letter topic. */
export class PermanentError extends PipelineError {
  constructor(code: PermanentCodeName | (string & {}), message: string, options: { cause?: unknown } = {}) {
    super(message, { code, retriable: false, cause: options.cause });
  }
}

/** Codes of the pipeline's own conditions that are not a record's fault; stable, for logs and alerts. */
export const PipelineCode = {
  PARTITION_FENCED: 'PARTITION_FENCED',
  SHUTDOWN_DEADLINE_EXCEEDED: 'SHUTDOWN_DEADLINE_EXCEEDED',
  MODEL_UNUSABLE: 'MODEL_UNUSABLE',
  INVALID_CONFIG: 'INVALID_CONFIG',
} as const;

/**
 * Thrown by `retrying` and `retryTransient` when they stop trying: the classified error and how many tries were
 * made. Not retriable itself (the policy is spent); a dead letter records the inner error's code and the tries.
 */
export class GaveUp extends PipelineError {
  constructor(readonly error: PipelineError, readonly attempts: number) {
    super(error.message, { code: PermanentCode.RETRIES_EXHAUSTED, retriable: false, cause: error });
  }
}

/**
 * Thrown by a committer when another process owns the partition now (its producer fenced ours). Not retriable:
 * the partition's records are the new owner's to process.
 */
export class PartitionFenced extends PipelineError {
  constructor(tp: { topic: string; partition: number }, options: { cause?: unknown } = {}) {
    super(`partition ${tp.topic}/${tp.partition} was taken over by another process`, { code: PipelineCode.PARTITION_FENCED, retriable: false, cause: options.cause });
  }
}

// Node's socket error codes that mean "the server is not there right now".
const transientSystemCodes = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH',
  'PROTOCOL_CONNECTION_LOST', 'ER_LOCK_DEADLOCK', 'ER_LOCK_WAIT_TIMEOUT',
]);

/**
 * Maps anything thrown to a PipelineError. Our own errors keep their class; errors of clients that carry
 * `retriable` (kafkajs) keep it; socket errors are transient; anything else is permanent with code UNCLASSIFIED,
 * because retrying an unknown bug forever would block the partition.
 */
export function classifyError(err: unknown): PipelineError {
  if (err instanceof PipelineError) return err;
  const message = err instanceof Error ? err.message : String(err);
  const fields = (typeof err === 'object' && err !== null ? err : {}) as { retriable?: unknown; code?: unknown; name?: unknown; type?: unknown };
  // kafkajs names a broker's error code by `type`; kafkajs marks these two non-retriable already, the code says why.
  if (fields.type === 'MESSAGE_TOO_LARGE' || fields.type === 'RECORD_LIST_TOO_LARGE') {
    return new PermanentError(PermanentCode.MESSAGE_TOO_LARGE, `${message} (${fields.type})`, { cause: err });
  }
  if (typeof fields.retriable === 'boolean') {
    const code = typeof fields.name === 'string' ? fields.name : 'KAFKA';
    return new PipelineError(message, { code, retriable: fields.retriable, cause: err });
  }
  if (typeof fields.code === 'string' && transientSystemCodes.has(fields.code)) {
    return new TransientError(message, { code: fields.code, cause: err });
  }
  return new PermanentError(PermanentCode.UNCLASSIFIED, message, { cause: err });
}
