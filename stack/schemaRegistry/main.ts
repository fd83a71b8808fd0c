/**
 * The registry server process: `node --import tsx stack/schemaRegistry/main.ts [--port 8081] …` (see registryOptions).
 * Logs JSON to stdout; a start that fails (bad option, Kafka unreachable, port taken) ends with one line on stderr and
 * exit code 1; SIGTERM / SIGINT close the server cleanly.
 */
import { createLogger } from '../../pipeline/logger.ts';
import { registryOptionsFrom, registryUsage } from './registryOptions.ts';
import { startSchemaRegistry, type RunningRegistry } from './registryServer.ts';

function fail(message: string): never {
  process.stderr.write(`schema-registry: ${message}\n`);
  process.exit(1);
}

let options;
try {
  options = registryOptionsFrom(process.argv.slice(2), process.env);
} catch (err) {
  fail(`${(err as Error).message} (--help for usage)`);
}
if (options.help) {
  process.stdout.write(`${registryUsage}\n`);
  process.exit(0);
}

const logger = createLogger('schema-registry');
let registry: RunningRegistry;
try {
  registry = await startSchemaRegistry(options, logger);
} catch (err) {
  fail((err as Error).message);
}

let stopping = false;
async function stop(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'stopping');
  try {
    await registry.close();
    process.exit(0);
  } catch (err) {
    fail(`stop failed: ${(err as Error).message}`);
  }
}
process.on('SIGTERM', () => void stop('SIGTERM'));
process.on('SIGINT', () => void stop('SIGINT'));
