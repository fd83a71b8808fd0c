/**
 * The registry's errors, with the HTTP status and the `error_code` / message that Confluent's Schema Registry uses,
 * so that clients written against Confluent (Java, Python, kafkajs) recognise them.
 */
import { PipelineError } from '../../pipeline/errors.ts';

export class RegistryError extends PipelineError {
  constructor(
    readonly status: number,
    readonly errorCode: number,
    message: string,
  ) {
    // A 5xx is the registry's own trouble (its Kafka log unreachable): worth another try; a 4xx is the request's.
    super(message, { code: `REGISTRY_${errorCode}`, retriable: status >= 500 });
  }

  /** The body Confluent sends with every error. */
  body(): { error_code: number; message: string } {
    return { error_code: this.errorCode, message: this.message };
  }
}

export const subjectNotFound = (subject: string) => new RegistryError(404, 40401, `Subject '${subject}' not found.`);

export const versionNotFound = (version: number) => new RegistryError(404, 40402, `Version ${version} not found.`);

export const schemaNotFound = (id?: number) =>
  new RegistryError(404, 40403, id === undefined ? 'Schema not found' : `Schema ${id} not found`);

export const subjectSoftDeleted = (subject: string) =>
  new RegistryError(404, 40404, `Subject '${subject}' was soft deleted.Set permanent=true to delete permanently`);

export const subjectNotSoftDeleted = (subject: string) =>
  new RegistryError(404, 40405, `Subject '${subject}' was not deleted first before being permanently deleted`);

export const versionSoftDeleted = (subject: string, version: number) =>
  new RegistryError(
    404,
    40406,
    `Subject '${subject}' Version ${version} was soft deleted.Set permanent=true to delete permanently`,
  );

export const versionNotSoftDeleted = (subject: string, version: number) =>
  new RegistryError(
    404,
    40407,
    `Subject '${subject}' Version ${version} was not deleted first before being permanently deleted`,
  );

export const subjectCompatibilityNotConfigured = (subject: string) =>
  new RegistryError(404, 40408, `Subject '${subject}' does not have subject-level compatibility configured`);

export const incompatibleSchema = (subject: string, details: string) =>
  new RegistryError(
    409,
    409,
    `Schema being registered is incompatible with an earlier schema for subject "${subject}", details: ${details}`,
  );

export const invalidSchema = (reason: string) => new RegistryError(422, 42201, `Invalid schema: ${reason}`);

export const invalidVersion = (version: string) =>
  new RegistryError(
    422,
    42202,
    `The specified version '${version}' is not a valid version id. ` +
      'Allowed values are between [1, 2^31-1] and the string "latest"',
  );

export const invalidCompatibilityLevel = (level: unknown) =>
  new RegistryError(
    422,
    42203,
    `Invalid compatibility level ${JSON.stringify(level)}. Valid values are none, backward, forward, full, ` +
      'backward_transitive, forward_transitive, and full_transitive',
  );

export const invalidSubject = (subject: string) =>
  new RegistryError(422, 42208, `The specified subject ${JSON.stringify(subject)} is not valid.`);

export const referenceExists = (subject: string, version: number) =>
  new RegistryError(
    422,
    42206,
    `One or more references exist to the schema {subject=${subject}, version=${version}}`,
  );

export const storeError = (reason: string) => new RegistryError(500, 50001, `Error while storing the schema: ${reason}`);
