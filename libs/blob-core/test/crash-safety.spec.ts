import { fork } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { LocalDiskStore } from '../src/local-disk-store';
import { parseChunkId } from '../src/chunk-id';
import { PIECE, pieceByte } from './fixtures/crash-pattern';
import { closingStores } from '../src/testing';

/** Stores a test opens are closed after it. */
const keep = closingStores();

const CHUNK = 4 * PIECE;
jest.setTimeout(60_000);

/** Runs the writer until `killAfterPuts` chunks began, waits `delayMs`, then SIGKILLs it. */
function runAndKill(script: string, dir: string, mode: 'put' | 'stream', killAfterPuts: number, delayMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    // The bundle lives in a temp dir and keeps npm packages external: resolve them from the repo.
    const env = { ...process.env, NODE_PATH: join(__dirname, '../../../node_modules') };
    const child = fork(script, [dir, String(CHUNK), mode], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], env });
    let putting = 0;
    child.on('message', (m: { putting?: string }) => {
      if (m.putting && ++putting === killAfterPuts) setTimeout(() => child.kill('SIGKILL'), delayMs);
    });
    child.on('exit', (code, signal) => (signal === 'SIGKILL' ? resolve() : reject(new Error(`writer exited ${code}`))));
    child.on('error', reject);
  });
}

describe('LocalDiskStore crash safety (writer SIGKILLed mid-write)', () => {
  let work: string;
  let script: string;
  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'blob-core-crash-'));
    script = join(work, 'crash-writer.js');
    buildSync({
      entryPoints: [join(__dirname, 'fixtures/crash-writer.ts')],
      outfile: script,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      packages: 'external',
      tsconfig: join(__dirname, '../../../tsconfig.base.json'),
      logLevel: 'error',
    });
  });
  afterAll(() => rm(work, { recursive: true, force: true }));

  it.each(['put', 'stream'] as const)('never leaves a partial chunk under a final name; sweepTemp removes the leftovers (chunks by %s)', async (mode) => {
    let roundsWithTemp = 0;
    for (let round = 0; round < 8 && !(round >= 3 && roundsWithTemp > 0); round++) {
      const dir = join(work, `data-${mode}-${round}`);
      await runAndKill(script, dir, mode, 2 + (round % 3), round * 3);
      const store = keep(new LocalDiskStore(dir));
      const ids = await store.listIntentChunks('crash');
      for (const id of ids) {
        // Every visible chunk is complete, verifies, and holds exactly what the writer wrote.
        const data = await store.read(id);
        expect(data.length).toBe(CHUNK);
        const { seq } = parseChunkId(id);
        for (let k = 0; k < 4; k++) {
          const piece = data.subarray(k * PIECE, (k + 1) * PIECE);
          const want = pieceByte(seq * 4 + k);
          expect(piece[0] === want && piece[PIECE - 1] === want && piece.every((b) => b === want)).toBe(true);
        }
      }
      const fanDir = join(store.pathOf('crash.0'), '..');
      const names = await readdir(fanDir).catch(() => [] as string[]); // killed before the first mkdir
      const temps = names.filter((n) => n.endsWith('.tmp'));
      expect(names.filter((n) => !n.endsWith('.tmp')).sort()).toEqual(ids.map((id) => `crash.${parseChunkId(id).seq}`).sort());
      if (temps.length > 0) roundsWithTemp++;
      expect(await store.sweepTemp()).toBe(temps.length);
      expect((await readdir(fanDir).catch(() => [] as string[])).filter((n) => n.endsWith('.tmp'))).toEqual([]);
    }
    // At least one kill landed while a chunk was being written (a temp file was left behind).
    expect(roundsWithTemp).toBeGreaterThan(0);
  });
});
