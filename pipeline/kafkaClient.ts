/** The kafkajs client of a topology, logging through pino instead of kafkajs's console logger. */
import { Kafka, logLevel, type LogEntry } from 'kafkajs';
import type { KafkaConnection } from '../config/connections.ts';
import type { Logger } from './logger.ts';

const levels: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

export function createKafka(conn: KafkaConnection, logger: Logger): Kafka {
  return new Kafka({
    clientId: conn.clientId,
    brokers: conn.brokers,
    // kafkajs's INFO is chatty (every join, pause, resume); its warnings and errors are what an operator needs.
    logLevel: logLevel.WARN,
    logCreator: () => ({ namespace, level, log }: LogEntry) => {
      const { message, ...rest } = log;
      // A transaction begun while the previous one's markers are still being written gets CONCURRENT_TRANSACTIONS,
      // which kafkajs retries at once; it logs each as an error, yet nothing failed.
      const expected = typeof message === 'string' && message.includes('another concurrent operation on the same transaction');
      logger[expected ? 'debug' : (levels[level] ?? 'info')]({ namespace, ...rest }, message);
    },
  });
}
