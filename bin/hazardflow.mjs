#!/usr/bin/env node
// Entry point of the `hazardflow` CLI: runs the TypeScript sources through tsx, so no build step is needed.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../cli/main.ts');
// The one place production and tooling meet: the local stack and the demo add their commands to the CLI.
const { registerStackCommands } = await import('../stack/stackCommand.ts');
const { registerDemoCommand } = await import('../demo/demoCommand.ts');
const { stackContext, stackStatus } = await import('../stack/localStack.ts');
await main(process.argv, { register: [registerStackCommands, registerDemoCommand], stackHealth: () => stackStatus(stackContext()) });
// A finished command exits even if a client library still holds a socket or timer open.
process.exit(process.exitCode ?? 0);
