// Entry of the inference thread: a worker starts without the parent's TypeScript loader when the CLI registered
// tsx through its API (bin/hazardflow.mjs), so it registers tsx itself before loading the TypeScript body.
import { register } from 'tsx/esm/api';

register();
await import('./modelWorker.ts');
