import { randomBytes } from 'node:crypto';
import { mkdtemp, open, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FileHandle } from 'node:fs/promises';
import { readFully, writeAll } from './fs-io';

describe('fs-io', () => {
  let dir: string;
  beforeEach(async () => (dir = await mkdtemp(join(tmpdir(), 'blob-core-io-'))));
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('writes many slices (more than IOV_MAX) and reads them back', async () => {
    const slices = Array.from({ length: 3000 }, (_, i) => randomBytes(i % 7));
    const path = join(dir, 'f');
    const fh = await open(path, 'w');
    expect(await writeAll(fh, slices)).toBe(slices.reduce((n, b) => n + b.length, 0));
    await fh.close();
    expect((await readFile(path)).equals(Buffer.concat(slices))).toBe(true);
  });

  it('resumes after partial vectored writes', async () => {
    const written: Buffer[] = [];
    const fake = {
      writev: async (bufs: Buffer[]) => {
        const first = bufs[0].subarray(0, Math.max(1, Math.floor(bufs[0].length / 2)));
        written.push(Buffer.from(first));
        return { bytesWritten: first.length, buffers: bufs };
      },
    } as unknown as FileHandle;
    const data = [Buffer.from('hello'), Buffer.from(' '), Buffer.from('world')];
    await writeAll(fake, data);
    expect(Buffer.concat(written).toString()).toBe('hello world');
  });

  it('reports short reads at end of file', async () => {
    const path = join(dir, 'g');
    const w = await open(path, 'w');
    await w.write(Buffer.from('abc'));
    await w.close();
    const fh = await open(path, 'r');
    expect(await readFully(fh, Buffer.alloc(10), 1)).toBe(2);
    await fh.close();
  });
});
