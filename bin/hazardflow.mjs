#!/usr/bin/env node
// Entry point of the `hazardflow` CLI: runs the TypeScript sources through tsx, so no build step is needed.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../cli/main.ts');
await main(process.argv);
// A finished command exits even if a client library still holds a socket or timer open.
process.exit(process.exitCode ?? 0);
