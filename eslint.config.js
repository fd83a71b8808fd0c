import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

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
);
