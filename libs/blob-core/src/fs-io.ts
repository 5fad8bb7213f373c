import { open, type FileHandle } from 'node:fs/promises';

/** Small fs.promises helpers for the local disk store: no sync calls, no callbacks. */

export function errnoCode(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string' ? e.code : undefined;
}

/** Writes every buffer at `position` onward with vectored writes, resuming after partial writes. */
export async function writeAll(fh: FileHandle, buffers: readonly Buffer[], position = 0): Promise<number> {
  let list = buffers.filter((b) => b.length > 0);
  let pos = position;
  while (list.length > 0) {
    const { bytesWritten } = await fh.writev(list, pos);
    if (bytesWritten <= 0) throw new Error('writev made no progress');
    pos += bytesWritten;
    let skip = bytesWritten;
    let i = 0;
    while (i < list.length && skip >= list[i].length) skip -= list[i++].length;
    list = list.slice(i);
    if (skip > 0) list[0] = list[0].subarray(skip);
  }
  return pos - position;
}

/** Fills `buf` from `position`; returns how many bytes were read (less than `buf.length` only at EOF). */
export async function readFully(fh: FileHandle, buf: Buffer, position: number): Promise<number> {
  let done = 0;
  while (done < buf.length) {
    const { bytesRead } = await fh.read(buf, done, buf.length - done, position + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return done;
}

/** fsyncs a directory so the entries created, renamed or removed in it survive a crash. */
export async function fsyncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
