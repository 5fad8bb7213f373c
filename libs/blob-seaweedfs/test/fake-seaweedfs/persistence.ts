import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Needle, Volume, VolumeServerState } from './state';
import { etagOf } from './crc32c';

/**
 * Optional on-disk state for the standalone fake (`--data-dir`), so `start:distributed` can be stopped
 * or killed and restarted on the same data dir like the real services. A test convenience, written
 * synchronously before each answer: one file per needle copy (`s<server>/<vid>/<key hex>.<cookie hex>`)
 * plus `topology.json`. Tombstones are files removed; `readDeleted` does not survive a restart.
 */
export class FakeDisk {
  constructor(private readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  saveTopology(volumes: Iterable<Volume>, maxVolumeId: number, seq: bigint): void {
    const tmp = join(this.dir, 'topology.json.tmp');
    writeFileSync(tmp, JSON.stringify({ maxVolumeId, seq: seq.toString(), volumes: [...volumes] }));
    renameSync(tmp, join(this.dir, 'topology.json'));
  }

  loadTopology(): { maxVolumeId: number; seq: bigint; volumes: Volume[] } | undefined {
    const f = join(this.dir, 'topology.json');
    if (!existsSync(f)) return undefined;
    const j = JSON.parse(readFileSync(f, 'utf8')) as { maxVolumeId: number; seq: string; volumes: Volume[] };
    return { maxVolumeId: j.maxVolumeId, seq: BigInt(j.seq), volumes: j.volumes };
  }

  saveNeedle(server: number, vid: number, key: bigint, n: Needle): void {
    const d = join(this.dir, `s${server}`, String(vid));
    mkdirSync(d, { recursive: true });
    this.removeNeedle(server, vid, key);
    const tmp = join(d, `${key.toString(16)}.tmp`);
    writeFileSync(tmp, n.data);
    renameSync(tmp, join(d, `${key.toString(16)}.${n.cookie.toString(16)}`));
  }

  removeNeedle(server: number, vid: number, key: bigint): void {
    const d = join(this.dir, `s${server}`, String(vid));
    if (!existsSync(d)) return;
    const prefix = `${key.toString(16)}.`;
    for (const f of readdirSync(d)) if (f.startsWith(prefix) && !f.endsWith('.tmp')) rmSync(join(d, f));
  }

  loadNeedles(s: VolumeServerState): void {
    const root = join(this.dir, `s${s.index}`);
    if (!existsSync(root)) return;
    for (const v of readdirSync(root)) {
      const map = new Map<bigint, Needle>();
      s.needles.set(Number(v), map);
      for (const f of readdirSync(join(root, v))) {
        const m = /^([0-9a-f]+)\.([0-9a-f]+)$/.exec(f);
        if (!m) continue;
        const data = readFileSync(join(root, v, f));
        map.set(BigInt(`0x${m[1]}`), { cookie: parseInt(m[2], 16), data, mime: '', lastModified: Date.now(), deleted: false, pairs: {}, etag: etagOf(data) });
      }
    }
  }
}
