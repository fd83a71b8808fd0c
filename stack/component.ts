/** What the stack knows of each local server: how to install, start, probe and finish setting it up. */
import type { StackCredentials } from '../config/stackCredentials.ts';
import type { Connections } from '../config/connections.ts';
import type { TopicReplication } from '../config/topics.ts';
import { PermanentError } from '../pipeline/errors.ts';

export interface StackContext {
  /** Root of the stack's state: data/<component>, logs/<component>.log, run/<component>.pid, cache/. */
  dir: string;
  credentials: StackCredentials;
  connections: Connections;
  /** Kafka brokers the stack runs (1 or 3). */
  kafkaBrokers: number;
  /** Replication of the topics the stack's own servers create (the broker's internal ones, `_schemas`). */
  replication: TopicReplication;
}

export interface LaunchSpec {
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
}

export interface Component {
  name: string;
  /** Every port the component listens on; the first one is the one clients use. */
  ports: number[];
  /** Readiness timeout for a start (cold JVMs and first-time database initialisation need more). */
  readyTimeoutMs: number;
  /**
   * Installs binaries and initialises the data directory when missing (idempotent). Long first-time steps report
   * what they do, with elapsed time, through `onProgress`.
   */
  prepare(ctx: StackContext, onProgress: (line: string) => void): Promise<void>;
  launch(ctx: StackContext): LaunchSpec;
  /** True when the component answers its clients. */
  ready(ctx: StackContext): Promise<boolean>;
  /** Idempotent setup after the first readiness: databases, users, buckets. */
  afterStart?(ctx: StackContext): Promise<void>;
}

export class ComponentError extends PermanentError {
  constructor(readonly component: string, readonly reason: string, readonly logFile: string) {
    super('COMPONENT_FAILED', `${component}: ${reason} (log: ${logFile})`);
  }
}
