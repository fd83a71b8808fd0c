/**
 * The registry's state in memory: subjects with their versions, schema ids and compatibility configs. It changes only
 * by applying `_schemas` records, the same way on replay and after a write, so memory is always what the topic says.
 */
import type { CompatibilityLevel } from './compatibility.ts';
import type { SchemaReference, SchemaValue, StoreRecord } from './storeRecords.ts';

export type SchemaVersion = SchemaValue;

/** What makes two registrations the same schema (and so the same id): canonical text plus references. */
export function schemaIdentity(schema: string, references: readonly SchemaReference[] | undefined): string {
  return `${schema}\u0000${JSON.stringify(references ?? [])}`;
}

const versionKey = (subject: string, version: number) => `${subject}\u0000${version}`;

export class RegistryState {
  private readonly subjects = new Map<string, Map<number, SchemaVersion>>();
  private readonly configs = new Map<string | null, CompatibilityLevel>();
  /** id → the subject versions that carry it. */
  private readonly usagesById = new Map<number, Map<string, SchemaVersion>>();
  private readonly idByIdentity = new Map<string, number>();
  private maxId = 0;

  apply(record: StoreRecord): void {
    if (record.key.keytype === 'CONFIG') {
      const value = record.value as { compatibilityLevel: CompatibilityLevel } | null;
      if (value === null) this.configs.delete(record.key.subject);
      else this.configs.set(record.key.subject, value.compatibilityLevel);
      return;
    }
    const { subject, version } = record.key;
    const versions = this.subjects.get(subject) ?? new Map<number, SchemaVersion>();
    const previous = versions.get(version);
    if (previous) this.unindex(previous);
    const value = record.value as SchemaVersion | null;
    if (value === null) {
      versions.delete(version);
      if (versions.size === 0) this.subjects.delete(subject);
      return;
    }
    versions.set(version, value);
    this.subjects.set(subject, versions);
    this.index(value);
  }

  private index(entry: SchemaVersion): void {
    const usages = this.usagesById.get(entry.id) ?? new Map<string, SchemaVersion>();
    usages.set(versionKey(entry.subject, entry.version), entry);
    this.usagesById.set(entry.id, usages);
    this.idByIdentity.set(schemaIdentity(entry.schema, entry.references), entry.id);
    this.maxId = Math.max(this.maxId, entry.id);
  }

  private unindex(entry: SchemaVersion): void {
    const usages = this.usagesById.get(entry.id);
    usages?.delete(versionKey(entry.subject, entry.version));
    if (usages && usages.size === 0) {
      this.usagesById.delete(entry.id);
      this.idByIdentity.delete(schemaIdentity(entry.schema, entry.references));
    }
  }

  /** Subject names, sorted; soft-deleted subjects (all versions deleted) only with `includeDeleted`. */
  subjectNames(includeDeleted: boolean): string[] {
    return [...this.subjects.keys()].filter((s) => includeDeleted || this.versions(s, false).length > 0).sort();
  }

  /** The subject's versions, oldest first; soft-deleted ones only with `includeDeleted`. */
  versions(subject: string, includeDeleted: boolean): SchemaVersion[] {
    const versions = [...(this.subjects.get(subject)?.values() ?? [])].sort((a, b) => a.version - b.version);
    return includeDeleted ? versions : versions.filter((v) => !v.deleted);
  }

  /** Whether any record of the subject exists, deleted or not. */
  hasSubject(subject: string): boolean {
    return this.subjects.has(subject);
  }

  version(subject: string, version: number): SchemaVersion | undefined {
    return this.subjects.get(subject)?.get(version);
  }

  /** The next version number: past every version the subject ever had, soft-deleted ones included. */
  nextVersion(subject: string): number {
    return Math.max(0, ...this.versions(subject, true).map((v) => v.version)) + 1;
  }

  /** Every subject version carrying the id, soft-deleted ones included. */
  usages(id: number): SchemaVersion[] {
    return [...(this.usagesById.get(id)?.values() ?? [])].sort(
      (a, b) => a.subject.localeCompare(b.subject) || a.version - b.version,
    );
  }

  idOf(schema: string, references: readonly SchemaReference[] | undefined): number | undefined {
    return this.idByIdentity.get(schemaIdentity(schema, references));
  }

  /** A fresh global id. Ids only grow, so an id never names two different schemas. */
  nextId(): number {
    return this.maxId + 1;
  }

  /** Keeps an id from being handed out again (one that may be in the log although memory never applied it). */
  reserveId(id: number): void {
    this.maxId = Math.max(this.maxId, id);
  }

  /** Live versions whose references point at the given subject version. */
  referencedBy(subject: string, version: number): SchemaVersion[] {
    return [...this.subjects.values()]
      .flatMap((versions) => [...versions.values()])
      .filter((v) => !v.deleted && (v.references ?? []).some((r) => r.subject === subject && r.version === version));
  }

  /** The level configured for a subject (or globally with null), if any. */
  configuredCompatibility(subject: string | null): CompatibilityLevel | undefined {
    return this.configs.get(subject);
  }
}
