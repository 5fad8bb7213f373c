import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** One flush syscall seen by the LD_PRELOAD shim (sync-shim.c). Times in ms on the wall clock (Date.now()). */
export interface SyncCall {
  readonly fn: string;
  readonly start: number;
  readonly end: number;
  readonly path: string;
}

/**
 * Compiles sync-shim.c into a shared object (once per test run). A C compiler is a hard requirement of
 * the test: `.ci/run` installs gcc when it is missing, and the suite fails rather than skips without it.
 */
export function buildSyncShim(): string {
  const out = join(mkdtempSync(join(tmpdir(), 'massive-sync-shim-')), 'sync-shim.so');
  const cc = ['cc', 'gcc', 'clang'].find((c) => {
    try {
      execFileSync(c, ['--version'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  });
  if (!cc) throw new Error('durability tests need a C compiler (cc/gcc) to build the LD_PRELOAD sync shim');
  execFileSync(cc, ['-shared', '-fPIC', '-O2', '-o', out, join(__dirname, 'sync-shim.c'), '-ldl']);
  return out;
}

export function readSyncLog(file: string): SyncCall[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.length > 0)
    .map((line) => {
      const [fn, start, end, ...path] = line.split(' ');
      return { fn, start: Number(start) / 1000, end: Number(end) / 1000, path: path.join(' ') };
    });
}

/** Waits until the log has had no new line for `quietMs` (the server is idle). */
export async function settle(file: string, quietMs: number): Promise<void> {
  let last = -1;
  let since = Date.now();
  for (;;) {
    const n = readSyncLog(file).length;
    if (n !== last) {
      last = n;
      since = Date.now();
    } else if (Date.now() - since >= quietMs) {
      return;
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}
