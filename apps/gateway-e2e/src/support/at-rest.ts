import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { patternBytes } from './s3-assert';

/** Bytes that say where they are, so a scan of the data dir can tell them apart from anything else. */
export function marked(marker: string, n: number, seed: number): Buffer {
  const b = patternBytes(n, seed);
  for (let at = 0; at + marker.length <= n; at += 4096) b.write(marker, at, 'latin1');
  return b;
}

/** Every file under `dir` that holds `needle` (what an encrypted-at-rest check scans for). */
export function filesHolding(dir: string, needle: Buffer): string[] {
  const found: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      const st = statSync(p, { throwIfNoEntry: false });
      if (!st) continue;
      if (st.isDirectory()) walk(p);
      else if (st.isFile() && readFileSync(p).includes(needle)) found.push(p);
    }
  };
  walk(dir);
  return found;
}
