import { readFile, readlink, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { errnoCode } from './fs-io';

/** The ext4 filesystem a directory lives on, as the kernel reports it under /sys. */
export interface Ext4Mount {
  /** Its block device's kernel name (`vda`, `sda1`, `dm-0`, `nvme0n1p1`): `/sys/fs/ext4/<device>`. */
  readonly device: string;
  /** Whether it has a journal (`journal_task` names the jbd2 thread's pid, `<none>` without one). */
  readonly journal: boolean;
}

export interface Ext4ProbeOptions {
  /** Where sysfs is mounted (tests hand in a tree of their own). Default `/sys`. */
  readonly sysRoot?: string;
}

/**
 * The ext4 filesystem holding `dir`, or undefined when it is on anything else (XFS, tmpfs, overlay,
 * btrfs, a non-Linux system) or /sys does not say. Found through the directory's device number:
 * `/sys/dev/block/<major>:<minor>` names the block device, and `/sys/fs/ext4/<device>/journal_task`
 * exists only for a mounted ext4 and reads `<none>` when it has no journal (fs/ext4/sysfs.c).
 *
 * Why the chunk stores ask: ext4 without a journal will not hand out an inode freed in the last ~5
 * minutes (5 s, plus 300 s while the inode table block is dirty) and checks each free one in turn
 * (fs/ext4/ialloc.c: find_inode_bit, recently_deleted). With chunks deleted at any rate, every new
 * chunk file then walks past all of them first: measured on such a disk (2026-12-06), the blob
 * service's file creations cost ~0.8 ms of kernel CPU each, over half its disk threads' time under
 * 1 MiB PUTs, where a journaled ext4 or XFS never does that walk.
 */
export async function ext4MountOf(dir: string, opts: Ext4ProbeOptions = {}): Promise<Ext4Mount | undefined> {
  const sys = opts.sysRoot ?? '/sys';
  const { dev } = await stat(dir, { bigint: true });
  // glibc's dev_t encoding (gnu_dev_major / gnu_dev_minor): 12 bits of major and 20 of minor, split.
  const major = ((dev >> 8n) & 0xfffn) | ((dev >> 32n) & ~0xfffn);
  const minor = (dev & 0xffn) | ((dev >> 12n) & ~0xffn);
  const device = await absentAsUndefined(readlink(join(sys, 'dev', 'block', `${major}:${minor}`)));
  if (device === undefined) return undefined; // not a block device (tmpfs, overlay, NFS) or no /sys
  const name = basename(device);
  const task = await absentAsUndefined(readFile(join(sys, 'fs', 'ext4', name, 'journal_task'), 'utf8'));
  if (task === undefined) return undefined; // a block device, but not mounted as ext4
  return { device: name, journal: task.trim() !== '<none>' };
}

/**
 * The warning a chunk store's owner logs at startup when its directory is on ext4 without a journal,
 * or undefined. A directory not created yet (the store makes it on its first write) is judged by its
 * nearest existing ancestor; a probe that fails says nothing.
 */
export async function ext4WithoutJournalWarning(dir: string, opts: Ext4ProbeOptions = {}): Promise<{ message: string; device: string } | undefined> {
  let mount: Ext4Mount | undefined;
  for (let d = resolve(dir); ; d = dirname(d)) {
    try {
      mount = await ext4MountOf(d, opts);
      break;
    } catch (e) {
      if (errnoCode(e) !== 'ENOENT' || dirname(d) === d) return undefined;
    }
  }
  if (!mount || mount.journal) return undefined;
  return {
    device: mount.device,
    message:
      'chunk data is on ext4 without a journal: each new chunk file first walks past every inode freed in the last ~5 minutes ' +
      '(up to ~0.8 ms of kernel CPU per file measured under churn); use XFS, or ext4 with its journal, for blob data',
  };
}

/**
 * Logs ext4WithoutJournalWarning's warning, if any, with the directory and device. Call it once the
 * service announced it listens (its first stdout line is what scripts wait for), without awaiting it:
 * it never rejects, so a caller's `void` cannot leave an unhandled rejection behind.
 */
export async function warnIfExt4WithoutJournal(dir: string, log: { warn(msg: string, fields: Record<string, unknown>): void }, opts: Ext4ProbeOptions = {}): Promise<void> {
  try {
    const w = await ext4WithoutJournalWarning(dir, opts);
    if (w) log.warn(w.message, { dir, device: w.device });
  } catch {
    // A startup hint, never a failure.
  }
}

async function absentAsUndefined<T>(p: Promise<T>): Promise<T | undefined> {
  try {
    return await p;
  } catch (e) {
    const code = errnoCode(e);
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EINVAL' || code === 'EACCES') return undefined;
    throw e;
  }
}
