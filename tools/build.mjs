// Bundles each app's composition root into dist/apps/<app>/main.js (npm packages stay external).
import { build } from 'esbuild';
import { existsSync } from 'node:fs';

const apps = ['gateway', 'metadata', 'blob'];
await Promise.all(
  apps
    .filter((app) => existsSync(`apps/${app}/src/main.ts`))
    .map((app) =>
      build({
        entryPoints: [`apps/${app}/src/main.ts`],
        outfile: `dist/apps/${app}/main.js`,
        bundle: true,
        platform: 'node',
        target: 'node20',
        format: 'cjs',
        packages: 'external',
        sourcemap: true,
        tsconfig: 'tsconfig.base.json',
        logLevel: 'warning',
      }),
    ),
);
