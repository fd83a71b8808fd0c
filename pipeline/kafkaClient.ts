/**
 * The one way hazardflow makes a kafkajs client. Every process, tool and test goes through `kafkaClient`, so that
 * a client's defaults (and the broker list and client id it takes from the connection) are decided in one place.
 * A client given a pino logger logs through it instead of kafkajs's console logger.
 */
import { Kafka, logLevel, type KafkaConfig, type LogEntry } from 'kafkajs';
import type { Logger } from './logger.ts';

export interface KafkaClientOptions extends Pick<KafkaConfig, 'logLevel' | 'logCreator' | 'retry' | 'connectionTimeout'> {
  brokers: string[];
  /** Names the client in the broker's logs and quotas (kafkajs's default when absent). */
  clientId?: string;
  /** Logs kafkajs's warnings and errors through pino (a topology's client); overrides logLevel and logCreator. */
  logger?: Logger;
}

const levels: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

function pinoLogs(logger: Logger): KafkaConfig['logCreator'] {
  return () => ({ namespace, level, log }: LogEntry) => {
    const { message, ...rest } = log;
    // A transaction begun while the previous one's markers are still being written gets CONCURRENT_TRANSACTIONS,
    // which kafkajs retries at once; it logs each as an error, yet nothing failed. The connection logs the failed
    // response as "Response AddPartitionsToTxn(key: 24, …)" with the broker's text in `error`; a retrier, in the message.
    const expected = [message, rest.error].some((text) => typeof text === 'string' && text.includes('another concurrent operation on the same transaction'));
    logger[expected ? 'debug' : (levels[level] ?? 'info')]({ namespace, ...rest }, message);
  };
}

/** @example kafkaClient({ ...connections.kafka, clientId: `${connections.kafka.clientId}-dlq`, logLevel: logLevel.ERROR }).admin() */
export function kafkaClient({ logger, ...config }: KafkaClientOptions): Kafka {
  if (!logger) return new Kafka(config);
  // kafkajs's INFO is chatty (every join, pause, resume); its warnings and errors are what an operator needs.
  return new Kafka({ ...config, logLevel: logLevel.WARN, logCreator: pinoLogs(logger) });
}
