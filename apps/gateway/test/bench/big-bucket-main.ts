// Builds a local-mode data directory holding big buckets for the LIST benchmark, straight through the
// KV (no S3 PUTs): `node dist/tools/big-bucket.js --data-dir DIR --access-key AK --bucket NAME:KEYS ...`
// (bundled by tools/build.mjs; run by tools/bench/lib/listbig.mjs). See big-store.ts. Prints the stamp
// (JSON) it wrote into DIR; `--format` prints BIG_BUCKET_FORMAT alone (the bench compares it with the
// stamp of a cached store, and rebuilds when they differ).
import { parseArgs } from 'node:util';
import { BIG_BUCKET_FORMAT } from '@massive/metadata-core/testing';
import { buildBigStore } from './big-store';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'data-dir': { type: 'string' },
      'access-key': { type: 'string' },
      bucket: { type: 'string', multiple: true },
      batch: { type: 'string' },
      format: { type: 'boolean' },
    },
    strict: true,
  });
  if (values.format) {
    process.stdout.write(`${BIG_BUCKET_FORMAT}\n`);
    return;
  }
  const dataDir = values['data-dir'];
  const accessKey = values['access-key'];
  const buckets = (values.bucket ?? []).map((spec) => {
    const m = /^([a-z0-9][a-z0-9.-]{1,61}[a-z0-9]):(\d+)$/.exec(spec);
    if (!m) throw new Error(`--bucket wants NAME:KEYS (got ${spec})`);
    return { name: m[1], keys: Number(m[2]) };
  });
  if (!dataDir || !accessKey || buckets.length === 0) throw new Error('usage: --data-dir DIR --access-key AK --bucket NAME:KEYS [--bucket ...] [--batch N]');
  const last = new Map<string, number>();
  const stamp = await buildBigStore({
    dataDir,
    accessKey,
    buckets,
    ...(values.batch !== undefined && { batch: Number(values.batch) }),
    onProgress: (name, done, total, s) => {
      if (s - (last.get(name) ?? 0) < 10 && done < total) return;
      last.set(name, s);
      process.stderr.write(`  big-bucket ${name}: ${done} of ${total} keys in ${s.toFixed(0)} s (${Math.round(done / Math.max(s, 0.001))} keys/s)\n`);
    },
  });
  process.stdout.write(JSON.stringify(stamp) + '\n');
}

main().catch((err: unknown) => {
  process.stderr.write(`big-bucket: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
