// Bundles each app's composition root into dist/apps/<app>/main.js (npm packages stay external),
// and the standalone protocol fakes into dist/tools/: fake-tikv.js (`npm run fake:tikv`) and
// fake-seaweedfs.js (`npm run fake:seaweedfs`), rpc-hop.js (libs/rpc/test/bench: the gRPC hop alone) and big-bucket.js (apps/gateway/test/bench: builds
// the bench's 10M-key bucket straight through the KV).
// `node tools/build.mjs [name...]` builds only the named bundles (gateway, metadata, blob, fake-tikv,
// fake-seaweedfs, rpc-hop, big-bucket): each Nx project's `build` target uses that, so Nx caches and restores each
// bundle on its own.
import { build } from 'esbuild';
import { existsSync } from 'node:fs';
import { basename, dirname } from 'node:path';

const apps = ['gateway', 'metadata', 'blob'];
const entries = apps
  .filter((app) => existsSync(`apps/${app}/src/main.ts`))
  .map((app) => ({ entry: `apps/${app}/src/main.ts`, outfile: `dist/apps/${app}/main.js` }));
const tools = [
  { entry: 'libs/kv-tikv/test/fake-tikv/main.ts', outfile: 'dist/tools/fake-tikv.js' },
  { entry: 'libs/blob-seaweedfs/test/fake-seaweedfs/main.ts', outfile: 'dist/tools/fake-seaweedfs.js' },
  { entry: 'libs/rpc/test/bench/rpc-hop.ts', outfile: 'dist/tools/rpc-hop.js' },
  { entry: 'apps/gateway/test/bench/big-bucket-main.ts', outfile: 'dist/tools/big-bucket.js' },
];
const all = [...entries, ...tools.filter((t) => existsSync(t.entry))];
const nameOf = (outfile) => basename(outfile) === 'main.js' ? basename(dirname(outfile)) : basename(outfile, '.js');
const wanted = process.argv.slice(2);
const unknown = wanted.filter((n) => !all.some((b) => nameOf(b.outfile) === n));
if (unknown.length) {
  console.error(`unknown bundle(s): ${unknown.join(', ')} (known: ${all.map((b) => nameOf(b.outfile)).join(', ')})`);
  process.exit(2);
}
await Promise.all(
  all
    .filter((b) => wanted.length === 0 || wanted.includes(nameOf(b.outfile)))
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
