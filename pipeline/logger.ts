/** Structured JSON logs through pino; LOG_LEVEL sets the level (default info). */
import { pino, type Logger } from 'pino';

export type { Logger };

/** The logger of one process role; topologies take `logger.child({ topology })`. */
export function createLogger(role: string, level: string = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({ name: `hazardflow-${role}`, level });
}
