/**
 * What the registry does, independent of HTTP: register, look up, check compatibility, delete, configure.
 * Every change is first appended to the `_schemas` log (and must be acknowledged by Kafka), then applied to memory.
 *
 * This is a single-writer registry: one server process owns the log. Writes are serialised inside the process, so
 * "is it new? which id? which version?" and the append happen as one step; a second server on the same topic would
 * not see the first one's writes and could hand out the same id twice, so run one (as the local stack does).
 */
import type avro from 'avsc';
import { parseAvroSchema } from './avroSchema.ts';
import {
  compatibilityProblems,
  defaultCompatibility,
  parseCompatibilityLevel,
  type CompatibilityLevel,
} from './compatibility.ts';
import {
  incompatibleSchema,
  invalidCompatibilityLevel,
  invalidSchema,
  invalidSubject,
  invalidVersion,
  referenceExists,
  schemaNotFound,
  storeError,
  subjectCompatibilityNotConfigured,
  subjectNotFound,
  subjectNotSoftDeleted,
  subjectSoftDeleted,
  versionNotFound,
  versionNotSoftDeleted,
  versionSoftDeleted,
} from './registryErrors.ts';
import { RegistryState, type SchemaVersion } from './registryState.ts';
import { configKey, schemaKey, type SchemaReference, type StoreRecord } from './storeRecords.ts';

/** Appends a record to the log; resolves once Kafka has acknowledged it. */
export type AppendRecord = (record: StoreRecord) => Promise<void>;

/** A subject version as the REST API shows it. */
export interface SubjectVersionView {
  subject: string;
  id: number;
  version: number;
  schema: string;
  references?: SchemaReference[];
}

interface CandidateSchema {
  canonical: string;
  type: avro.Type;
  references: SchemaReference[] | undefined;
}

/** A version path parameter: a number, or "latest" / -1 for the newest live version. */
type VersionSelector = number | 'latest';

const maxVersion = 2 ** 31 - 1;

export function parseVersion(raw: string): VersionSelector {
  if (raw === 'latest' || raw === '-1') return 'latest';
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isInteger(n) || n < 1 || n > maxVersion) throw invalidVersion(raw);
  return n;
}

export function viewOf(v: SchemaVersion): SubjectVersionView {
  return {
    subject: v.subject,
    id: v.id,
    version: v.version,
    schema: v.schema,
    ...(v.references ? { references: v.references } : {}),
  };
}

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

export class RegistryService {
  /** Tail of the write queue: each write starts when the previous one has finished. */
  private writes: Promise<unknown> = Promise.resolve();
  /** Parsed types of stored schemas, by id (a stored schema never changes under its id). */
  private readonly typesById = new Map<number, avro.Type>();

  constructor(
    readonly state: RegistryState,
    private readonly append: AppendRecord,
  ) {}

  private exclusive<T>(write: () => Promise<T>): Promise<T> {
    const result = this.writes.then(write);
    this.writes = result.catch(() => undefined);
    return result;
  }

  /** Log first, memory second: what a client was told is stored survives a restart. */
  private async commit(record: StoreRecord): Promise<void> {
    try {
      await this.append(record);
    } catch (err) {
      throw storeError((err as Error).message);
    }
    this.state.apply(record);
  }

  // ---- reads ----

  subjects(includeDeleted: boolean, prefix = ''): string[] {
    return this.state.subjectNames(includeDeleted).filter((s) => s.startsWith(prefix));
  }

  versionNumbers(subject: string, includeDeleted: boolean): number[] {
    const versions = this.state.versions(subject, includeDeleted);
    if (versions.length === 0) throw subjectNotFound(subject);
    return versions.map((v) => v.version);
  }

  version(subject: string, rawVersion: string, includeDeleted = false): SchemaVersion {
    const selector = parseVersion(rawVersion);
    const versions = this.state.versions(subject, includeDeleted);
    if (versions.length === 0) throw subjectNotFound(subject);
    const found = selector === 'latest' ? versions.at(-1) : versions.find((v) => v.version === selector);
    if (!found) throw versionNotFound(selector === 'latest' ? -1 : selector);
    return found;
  }

  schemaById(id: number): SchemaVersion {
    const usage = this.state.usages(id)[0];
    if (!usage) throw schemaNotFound(id);
    return usage;
  }

  /** The subject versions carrying a schema id; live ones only unless `includeDeleted`. */
  versionsOfId(id: number, includeDeleted: boolean): { subject: string; version: number }[] {
    this.schemaById(id);
    return this.state
      .usages(id)
      .filter((v) => includeDeleted || !v.deleted)
      .map((v) => ({ subject: v.subject, version: v.version }));
  }

  /** Ids of the live schemas whose references point at this subject version. */
  referencedBy(subject: string, rawVersion: string): number[] {
    const v = this.version(subject, rawVersion);
    return [...new Set(this.state.referencedBy(subject, v.version).map((r) => r.id))].sort((a, b) => a - b);
  }

  effectiveCompatibility(subject: string): CompatibilityLevel {
    return (
      this.state.configuredCompatibility(subject) ??
      this.state.configuredCompatibility(null) ??
      defaultCompatibility
    );
  }

  /** Compatibility of a subject (null: global); falls back to the global level only when asked to, like Confluent. */
  compatibility(subject: string | null, defaultToGlobal = false): CompatibilityLevel {
    if (subject === null) return this.state.configuredCompatibility(null) ?? defaultCompatibility;
    const own = this.state.configuredCompatibility(subject);
    if (own) return own;
    if (defaultToGlobal) return this.compatibility(null);
    throw subjectCompatibilityNotConfigured(subject);
  }

  // ---- schema parsing ----

  private typeOf(v: SchemaVersion): avro.Type {
    let type = this.typesById.get(v.id);
    if (!type) {
      type = parseAvroSchema(v.schema, this.referencedTexts(v.references ?? [])).type;
      this.typesById.set(v.id, type);
    }
    return type;
  }

  /** Schema texts of references and their own references, dependencies first, each once. */
  private referencedTexts(references: readonly SchemaReference[], seen = new Set<string>()): string[] {
    const texts: string[] = [];
    for (const ref of references) {
      const key = `${ref.subject}\u0000${ref.version}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const target = this.state.version(ref.subject, ref.version);
      if (!target) throw invalidSchema(`reference ${ref.name} to ${ref.subject} version ${ref.version} not found`);
      texts.push(...this.referencedTexts(target.references ?? [], seen), target.schema);
    }
    return texts;
  }

  /** Validates a request body `{schema, schemaType?, references?}` into a parsed candidate. */
  private candidate(body: unknown): CandidateSchema {
    if (!isObject(body) || typeof body.schema !== 'string') {
      throw invalidSchema('the request body must be a JSON object with the schema as a string in "schema"');
    }
    const schemaType = body.schemaType ?? 'AVRO';
    if (schemaType !== 'AVRO') {
      throw invalidSchema(`schema type ${JSON.stringify(schemaType)} is not supported: this registry serves AVRO only`);
    }
    const references = this.references(body.references);
    const parsed = parseAvroSchema(body.schema, this.referencedTexts(references ?? []));
    return { canonical: parsed.canonical, type: parsed.type, references };
  }

  private references(raw: unknown): SchemaReference[] | undefined {
    if (raw === undefined || raw === null) return undefined;
    if (!Array.isArray(raw)) throw invalidSchema('"references" must be an array');
    const refs = raw.map((r): SchemaReference => {
      if (!isObject(r) || typeof r.name !== 'string' || typeof r.subject !== 'string' || !Number.isInteger(r.version)) {
        throw invalidSchema('each reference needs "name", "subject" and an integer "version"');
      }
      return { name: r.name, subject: r.subject, version: r.version as number };
    });
    return refs.length > 0 ? refs : undefined;
  }

  private sameSchema(v: SchemaVersion, c: CandidateSchema): boolean {
    return v.schema === c.canonical && JSON.stringify(v.references ?? []) === JSON.stringify(c.references ?? []);
  }

  // ---- writes and checks ----

  /**
   * Registers a schema under a subject. The same schema again returns its existing id; a schema known under another
   * subject keeps its global id; otherwise it must pass the subject's compatibility level against earlier versions.
   */
  register(subject: string, body: unknown): Promise<{ id: number; version: number }> {
    // Subjects end up in logs, files and URLs; control characters have no business there (Confluent refuses them too).
    if (subject.length === 0 || [...subject].some((c) => c.charCodeAt(0) < 32 || c.charCodeAt(0) === 127)) {
      return Promise.reject(invalidSubject(subject));
    }
    const candidate = this.candidate(body);
    return this.exclusive(async () => {
      const live = this.state.versions(subject, false);
      const existing = live.find((v) => this.sameSchema(v, candidate));
      if (existing) return { id: existing.id, version: existing.version };
      const level = this.effectiveCompatibility(subject);
      const previous = live.map((v) => ({ version: v.version, type: this.typeOf(v) }));
      const problems = compatibilityProblems(level, candidate.type, previous);
      if (problems.length > 0) {
        throw incompatibleSchema(subject, `[${problems.join(', ')}], {compatibility: '${level}'}`);
      }
      const id = this.state.idOf(candidate.canonical, candidate.references) ?? this.state.nextId();
      const version = this.state.nextVersion(subject);
      try {
        await this.commit({
          key: schemaKey(subject, version),
          value: {
            subject,
            version,
            id,
            schema: candidate.canonical,
            ...(candidate.references ? { references: candidate.references } : {}),
            deleted: false,
          },
        });
      } catch (err) {
        // A failed send may still have reached the log; never give this id to another schema.
        this.state.reserveId(id);
        throw err;
      }
      this.typesById.set(id, candidate.type);
      return { id, version };
    });
  }

  /** The subject version holding this schema (40401 for an unknown subject, 40403 when not registered there). */
  lookup(subject: string, body: unknown, includeDeleted: boolean): SchemaVersion {
    const candidate = this.candidate(body);
    const versions = this.state.versions(subject, includeDeleted);
    if (versions.length === 0) throw subjectNotFound(subject);
    const found = versions.filter((v) => this.sameSchema(v, candidate)).at(-1);
    if (!found) throw schemaNotFound();
    return found;
  }

  /**
   * Would this schema be accepted? Against one version when given (a missing "latest" has nothing to conflict with),
   * else against the versions the subject's level compares with.
   */
  testCompatibility(subject: string, rawVersion: string | undefined, body: unknown): string[] {
    const candidate = this.candidate(body);
    const level = this.effectiveCompatibility(subject);
    let against: SchemaVersion[];
    if (rawVersion === undefined) {
      against = this.state.versions(subject, false);
    } else if (parseVersion(rawVersion) === 'latest' && this.state.versions(subject, false).length === 0) {
      against = [];
    } else {
      against = [this.version(subject, rawVersion)];
    }
    const previous = against.map((v) => ({ version: v.version, type: this.typeOf(v) }));
    return compatibilityProblems(level, candidate.type, previous);
  }

  private assertNotReferenced(v: SchemaVersion): void {
    if (this.state.referencedBy(v.subject, v.version).length > 0) throw referenceExists(v.subject, v.version);
  }

  /** Soft delete (versions stay readable by id) or, after a soft delete, permanent delete of a whole subject. */
  deleteSubject(subject: string, permanent: boolean): Promise<number[]> {
    return this.exclusive(async () => {
      if (!this.state.hasSubject(subject)) throw subjectNotFound(subject);
      const live = this.state.versions(subject, false);
      if (permanent) {
        if (live.length > 0) throw subjectNotSoftDeleted(subject);
        const all = this.state.versions(subject, true);
        for (const v of all) await this.commit({ key: schemaKey(subject, v.version), value: null });
        return all.map((v) => v.version);
      }
      if (live.length === 0) throw subjectSoftDeleted(subject);
      live.forEach((v) => this.assertNotReferenced(v));
      for (const v of live) await this.commit({ key: schemaKey(subject, v.version), value: { ...v, deleted: true } });
      // Confluent drops the subject's own level with it: a subject registered again starts from the global one.
      if (this.state.configuredCompatibility(subject)) await this.commit({ key: configKey(subject), value: null });
      return live.map((v) => v.version);
    });
  }

  /** Soft or (after a soft delete) permanent delete of one version. */
  deleteVersion(subject: string, rawVersion: string, permanent: boolean): Promise<number> {
    const selector = parseVersion(rawVersion);
    return this.exclusive(async () => {
      if (!this.state.hasSubject(subject)) throw subjectNotFound(subject);
      const v =
        selector === 'latest'
          ? this.state.versions(subject, permanent).at(-1)
          : this.state.version(subject, selector);
      if (!v) throw versionNotFound(selector === 'latest' ? -1 : selector);
      if (permanent) {
        if (!v.deleted) throw versionNotSoftDeleted(subject, v.version);
        await this.commit({ key: schemaKey(subject, v.version), value: null });
      } else {
        if (v.deleted) throw versionSoftDeleted(subject, v.version);
        this.assertNotReferenced(v);
        await this.commit({ key: schemaKey(subject, v.version), value: { ...v, deleted: true } });
      }
      return v.version;
    });
  }

  /** Sets the level of a subject, or the global one with null. */
  setCompatibility(subject: string | null, raw: unknown): Promise<CompatibilityLevel> {
    const level = parseCompatibilityLevel(raw);
    if (!level) return Promise.reject(invalidCompatibilityLevel(raw));
    return this.exclusive(async () => {
      await this.commit({ key: configKey(subject), value: { compatibilityLevel: level } });
      return level;
    });
  }

  /** Removes a subject's own level (it falls back to the global one), or resets the global one; returns the old. */
  deleteCompatibility(subject: string | null): Promise<CompatibilityLevel> {
    return this.exclusive(async () => {
      const previous = this.compatibility(subject);
      await this.commit({ key: configKey(subject), value: null });
      return previous;
    });
  }
}
