import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildSync } from 'esbuild';
import { LmdbKv } from '../src/lmdb-kv';

const root = resolve(__dirname, '../../..');

describe('LmdbKv durability', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'lmdb-durable-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('every commit that resolved survives a SIGKILL of the writer', async () => {
    const script = join(dir, 'child.js');
    buildSync({
      entryPoints: [join(__dirname, 'durability-child.ts')],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      external: ['lmdb'],
      tsconfig: join(root, 'tsconfig.base.json'),
      outfile: script,
      logLevel: 'silent',
    });
    const dbDir = join(dir, 'db');
    const n = 100;
    const acked: number[] = [];
    const child = fork(script, [dbDir, String(n)], {
      env: { ...process.env, NODE_PATH: join(root, 'node_modules') },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    child.on('message', (i) => acked.push(Number(i)));
    const signal = await new Promise<NodeJS.Signals | null>((done) => child.on('exit', (_code, sig) => done(sig)));
    expect(signal).toBe('SIGKILL');
    expect(acked).toContain(n - 1);

    const kv = new LmdbKv({ path: dbDir });
    try {
      const keys = acked.map((i) => Buffer.from(`k${String(i).padStart(6, '0')}`));
      const values = await kv.txn((tx) => tx.batchGet(keys));
      expect(values.map((v) => v?.toString())).toEqual(acked.map(String));
      // The store is usable after the crash: readers' slots and the commit sequence recover.
      await kv.txn(async (tx) => tx.put(keys[0], Buffer.from('after')));
      expect((await kv.txn((tx) => tx.get(keys[0])))?.toString()).toBe('after');
    } finally {
      await kv.close();
    }
  }, 30_000);
});
