/**
 * What the windows stage counts for operators: evidence by verdict (counted, duplicate, late, replayed: a record
 * below the stored offset after a group reset), alert messages by type and severity, water and vegetation looks by
 * verdict, and the evidence held back until every ml.results partition is past it (ingestOrder.ts).
 */
import { Counter, Gauge, Registry } from 'prom-client';

export interface AlertMetrics {
  evidence: Counter<'verdict'>;
  messages: Counter<'msg_type' | 'severity'>;
  waterLooks: Counter<'verdict'>;
  held: Gauge;
  vegetationLooks: Counter<'verdict'>;
}

export function alertMetrics(registry: Registry = new Registry(), heldNow: () => number = () => 0): AlertMetrics {
  return {
    held: new Gauge({
      name: 'hazardflow_alert_held_evidence',
      help: 'Cell assessments consumed and held back until every ml.results partition has been read past them',
      registers: [registry],
      collect() {
        this.set(heldNow());
      },
    }),
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
    waterLooks: new Counter({
      name: 'hazardflow_alert_water_looks_total',
      help: 'Water looks at cells judged against their learned reference water: unknown (first look), permanent, flood, duplicate',
      labelNames: ['verdict'],
      registers: [registry],
    }),
    vegetationLooks: new Counter({
      name: 'hazardflow_alert_vegetation_looks_total',
      help: 'Vegetation looks at cells judged against their learned vegetation: unknown (first look), stable, landslide, duplicate',
      labelNames: ['verdict'],
      registers: [registry],
    }),
  };
}
