import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

export default [
  { ignores: ['**/node_modules/**', '**/dist/**', '**/data/**', '**/tmp/**', '**/*.js', '**/*.mjs'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { '@nx': nx },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        {
          // V8 builds an object literal with an accessor through a runtime call: made per request, such
          // objects landed in the old generation, where each (live or dead) kept what it referenced alive
          // through every scavenge until a major GC. The gateway's request ctx did this: 1.2 MB promoted
          // per scavenge under 4 KiB GETs, 144 µs of server CPU per GET against 82 without it (tools/bench/
          // LOG.md, session 22).
          selector: "ObjectExpression > Property[kind='get'], ObjectExpression > Property[kind='set']",
          message: 'No getters or setters in object literals: use a class (see eslint.config.mjs).',
        },
      ],
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            // Layers (STYLE.md 5.2).
            { sourceTag: 'type:util', onlyDependOnLibsWithTags: ['type:util'] },
            { sourceTag: 'type:protocol', onlyDependOnLibsWithTags: ['type:util'] },
            { sourceTag: 'type:port', onlyDependOnLibsWithTags: ['type:util'] },
            { sourceTag: 'type:feature', onlyDependOnLibsWithTags: ['type:port', 'type:protocol', 'type:util'] },
            { sourceTag: 'type:adapter', onlyDependOnLibsWithTags: ['type:port', 'type:util'] },
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:app', 'type:feature', 'type:adapter', 'type:port', 'type:protocol', 'type:util'] },
            // Scopes: a service's libs never reach into another service's libs.
            { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
            { sourceTag: 'scope:metadata', onlyDependOnLibsWithTags: ['scope:metadata', 'scope:shared'] },
            { sourceTag: 'scope:blob', onlyDependOnLibsWithTags: ['scope:blob', 'scope:shared'] },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.spec.ts', '**/test/**/*.ts', '**/testing/**/*.ts', 'apps/gateway-e2e/**/*.ts', 'tools/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off', '@typescript-eslint/no-non-null-assertion': 'off', 'no-restricted-syntax': 'off' },
  },
];
