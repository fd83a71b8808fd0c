/**
 * What the windows stage counts for operators: evidence by verdict (counted, duplicate, late, replayed: a record
 * below the stored offset after a group reset) and alert messages by type and severity.
 */
import { Counter, Registry } from 'prom-client';

export interface AlertMetrics {
  evidence: Counter<'verdict'>;
  messages: Counter<'msg_type' | 'severity'>;
}

export function alertMetrics(registry: Registry = new Registry()): AlertMetrics {
  return {
    evidence: new Counter({
      name: 'hazardflow_alert_evidence_total',
      help: 'Cell assessments seen by the alert windows, by verdict',
      labelNames: ['verdict'],
      registers: [registry],
    }),
    messages: new Counter({
      name: 'hazardflow_alert_messages_total',
      help: 'Alert messages decided (ALERT, UPDATE, CANCEL) by severity; a retried transaction decides again',
      labelNames: ['msg_type', 'severity'],
      registers: [registry],
    }),
  };
}
