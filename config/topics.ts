/**
 * The topics of DESIGN.md with their defaults. Names, partition counts and retention are configuration:
 * HAZARDFLOW_TOPIC_<ROLE>, HAZARDFLOW_PARTITIONS_<ROLE> override them (ROLE as in TopicRole, upper case).
 */
export type TopicRole = 'images' | 'results' | 'assessments' | 'alerts' | 'alertsCritical' | 'dlq';

export interface TopicSpec {
  name: string;
  partitions: number;
  /** Avro schema file in schemas/ for the value (subject `<name>-value`). */
  valueSchema: 'ImageRef' | 'AnalysisResult' | 'CellAssessment' | 'AlertEvent' | 'DeadLetter';
  config: Record<string, string>;
}

const DAY_MS = 24 * 60 * 60 * 1000;

const defaults: Record<TopicRole, TopicSpec> = {
  images: { name: 'images.process', partitions: 8, valueSchema: 'ImageRef', config: { 'retention.ms': String(7 * DAY_MS) } },
  results: { name: 'ml.results', partitions: 4, valueSchema: 'AnalysisResult', config: {} },
  assessments: { name: 'hazard.assessments', partitions: 4, valueSchema: 'CellAssessment', config: {} },
  alerts: { name: 'alerts', partitions: 2, valueSchema: 'AlertEvent', config: {} },
  alertsCritical: { name: 'alerts.critical', partitions: 2, valueSchema: 'AlertEvent', config: { 'retention.ms': String(7 * DAY_MS) } },
  dlq: { name: 'images.dlq', partitions: 1, valueSchema: 'DeadLetter', config: {} },
};

function envKey(role: TopicRole): string {
  return role.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase();
}

export function topicsFromEnv(env: NodeJS.ProcessEnv = process.env): Record<TopicRole, TopicSpec> {
  const out = {} as Record<TopicRole, TopicSpec>;
  for (const role of Object.keys(defaults) as TopicRole[]) {
    const base = defaults[role];
    const partitions = env[`HAZARDFLOW_PARTITIONS_${envKey(role)}`];
    out[role] = {
      ...base,
      name: env[`HAZARDFLOW_TOPIC_${envKey(role)}`] ?? base.name,
      partitions: partitions ? Number(partitions) : base.partitions,
    };
  }
  return out;
}
