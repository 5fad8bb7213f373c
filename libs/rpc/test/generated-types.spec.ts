import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../../..');
const COMMITTED = join(ROOT, 'libs/rpc/src/generated');

function files(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else out.set(relative(dir, p), readFileSync(p, 'utf8'));
    }
  };
  walk(dir);
  return out;
}

// The types are generated from the protos, never edited by hand: regenerate and compare.
it('libs/rpc/src/generated matches proto/massive (run `npm run proto:gen` after editing a .proto)', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'massive-proto-gen-'));
  try {
    execFileSync(process.execPath, [join(ROOT, 'libs/rpc/scripts/proto-gen.mjs'), '--out', tmp], { cwd: ROOT, stdio: 'pipe' });
    const fresh = files(tmp);
    const committed = files(COMMITTED);
    expect([...committed.keys()].sort()).toEqual([...fresh.keys()].sort());
    const stale = [...fresh].filter(([name, text]) => committed.get(name) !== text).map(([name]) => name);
    expect(stale).toEqual([]);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
