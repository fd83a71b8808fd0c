/**
 * The contract for sinks to external stores (MySQL, Redis).
 *
 * The core commits a record's offset only after the sink's `write` for its batch has resolved, so a resolved
 * write must be durable (committed transaction, acknowledged command). Delivery is at-least-once: after a crash
 * or a rebalance the same rows are written again, so idempotency is the sink's job — upserts on natural keys,
 * set semantics, never blind inserts or increments. The core does not and cannot deduplicate for it.
 */
export interface ExternalSink<T> {
  /** Stage name in metrics, logs and dead letters, e.g. `mysql.predictions`. */
  readonly name: string;
  /**
   * Writes one batch durably and idempotently. Throw a TransientError (or a client error classified as one) to
   * have the batch retried with backoff; throw a PermanentError when the data itself is refused, and the
   * records are then tried one by one so that only the bad ones go to the dead-letter topic.
   */
  write(batch: ReadonlyArray<T>): Promise<void>;
}
