/**
 * Starts the whole registry: replays `_schemas` into memory, and only then listens, so that a server that answers is
 * a server that knows every registration (readiness = listening).
 */
import type { Logger } from 'pino';
import { buildHttpApi } from './httpApi.ts';
import type { RegistryOptions } from './registryOptions.ts';
import { RegistryService } from './registryService.ts';
import { RegistryState } from './registryState.ts';
import { SchemasLog } from './schemasLog.ts';

export interface RunningRegistry {
  /** Base URL clients use, e.g. http://127.0.0.1:8081. */
  url: string;
  port: number;
  /** Stops accepting requests, lets in-flight ones finish (their writes included), then disconnects from Kafka. */
  close(): Promise<void>;
}

export async function startSchemaRegistry(options: RegistryOptions, logger: Logger): Promise<RunningRegistry> {
  const state = new RegistryState();
  const log = await SchemasLog.open({ ...options, logger }, (record) => state.apply(record));
  const app = buildHttpApi(
    new RegistryService(state, (record) => log.append(record)),
    logger,
  );
  try {
    await app.listen({ host: options.host, port: options.port });
  } catch (err) {
    await log.close();
    throw err;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const url = `http://${options.host.includes(':') ? `[${options.host}]` : options.host}:${port}`;
  logger.info({ url, topic: options.topic, subjects: state.subjectNames(false).length }, 'schema registry ready');
  return {
    url,
    port,
    async close() {
      await app.close();
      await log.close();
    },
  };
}
