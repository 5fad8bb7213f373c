// Bundles each app's composition root into dist/apps/<app>/main.js (npm packages stay external),
// and the standalone protocol fakes into dist/tools/: fake-tikv.js (`npm run fake:tikv`) and
// fake-seaweedfs.js (`npm run fake:seaweedfs`), and rpc-hop.js (libs/rpc/test/bench: the gRPC hop alone).
import { build } from 'esbuild';
import { existsSync } from 'node:fs';

const apps = ['gateway', 'metadata', 'blob'];
const entries = apps
  .filter((app) => existsSync(`apps/${app}/src/main.ts`))
  .map((app) => ({ entry: `apps/${app}/src/main.ts`, outfile: `dist/apps/${app}/main.js` }));
const tools = [
  { entry: 'libs/kv-tikv/test/fake-tikv/main.ts', outfile: 'dist/tools/fake-tikv.js' },
  { entry: 'libs/blob-seaweedfs/test/fake-seaweedfs/main.ts', outfile: 'dist/tools/fake-seaweedfs.js' },
  { entry: 'libs/rpc/test/bench/rpc-hop.ts', outfile: 'dist/tools/rpc-hop.js' },
];
await Promise.all(
  [...entries, ...tools.filter((t) => existsSync(t.entry))]
    .map(({ entry, outfile }) =>
      build({
        entryPoints: [entry],
        outfile,
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
