import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import { importX, createNodeResolver } from 'eslint-plugin-import-x';

// The flow (README "Layout"): records go connector → Kafka → analyze → Kafka → alerts / sink. Each stage imports
// only the shared modules, never another stage; the shared modules import no stage; operations and the CLI drive
// the stages; nothing production imports the tooling. bin/hazardflow.mjs composes production and tooling commands.
const shared = ['config', 'schemas', 'pipeline', 'eo', 'model', 'adapters'];
const stages = ['connectors/http', 'topologies/analyze', 'topologies/alerts', 'topologies/sink'];
const tooling = ['stack', 'bench', 'demo', 'test'];
const dir = (folder) => `./${folder}`;
const zone = (target, from, why) => ({ target: dir(target), from: from.map(dir), message: why });
export const flowZones = [
  ...shared.map((folder) =>
    zone(folder, [...stages, 'operations', 'cli', 'bin', ...tooling], 'a shared module imports no stage, operation, CLI or tooling (move what both need into a shared module)')),
  ...stages.map((stage) =>
    zone(stage, [...stages.filter((s) => s !== stage), 'operations', 'cli', 'bin', ...tooling], 'a stage imports no other stage (against the flow) and no tooling: share through config, schemas, pipeline, eo, model or adapters')),
  zone('operations', ['cli', 'bin', ...tooling], 'production operations import no CLI and no tooling'),
  zone('cli', ['bin', ...tooling], 'the production CLI imports no tooling (tooling commands are registered by bin/hazardflow.mjs)'),
];

export default tseslint.config(
  { ignores: ['node_modules/', '.stack/', 'out/', 'schemas/generated/', '.venv/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: globals.node },
  },
  {
    // The map's page script runs in the browser, after Leaflet (L) and topojson-client (topojson).
    files: ['connectors/http/map/**/*.js'],
    languageOptions: { globals: { ...globals.browser, L: 'readonly', topojson: 'readonly' } },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['**/*.ts', '**/*.mjs', '**/*.js'],
    plugins: { 'import-x': importX },
    settings: { 'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.mjs', '.js'] })] },
    rules: { 'import-x/no-restricted-paths': ['error', { zones: flowZones }] },
  },
);
