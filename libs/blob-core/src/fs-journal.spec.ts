import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ext4MountOf, ext4WithoutJournalWarning, warnIfExt4WithoutJournal } from './fs-journal';

/** The directory's device as coreutils' stat names it (`<major>:<minor>`), independent of our decoding. */
function deviceNumbers(dir: string): string {
  return execFileSync('stat', ['-c', '%Hd:%Ld', dir], { encoding: 'utf8' }).trim();
}

describe('ext4MountOf', () => {
  let root: string;
  let dir: string;
  let sys: string;

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'fs-journal-'));
    dir = join(root, 'data');
    sys = join(root, 'sys');
    mkdirSync(dir);
    mkdirSync(join(sys, 'dev', 'block'), { recursive: true });
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  /** A sysfs tree saying `dir` lives on block device `name`, mounted as ext4 whose journal_task reads `task`. */
  function fakeSys(name: string, task?: string): void {
    symlinkSync(`../../devices/pci0000:00/0000:00:02.0/virtio1/block/${name}`, join(sys, 'dev', 'block', deviceNumbers(dir)));
    if (task === undefined) return;
    mkdirSync(join(sys, 'fs', 'ext4', name), { recursive: true });
    writeFileSync(join(sys, 'fs', 'ext4', name, 'journal_task'), task);
  }

  it('finds the device of the directory and says it has no journal when journal_task reads <none>', async () => {
    fakeSys('vdq', '<none>\n');
    await expect(ext4MountOf(dir, { sysRoot: sys })).resolves.toEqual({ device: 'vdq', journal: false });
    const warning = await ext4WithoutJournalWarning(dir, { sysRoot: sys });
    expect(warning?.device).toBe('vdq');
    expect(warning?.message).toMatch(/ext4 without a journal/);
  });

  it('says it has a journal when journal_task names the jbd2 thread, and warns of nothing', async () => {
    fakeSys('sdq1', '412\n');
    await expect(ext4MountOf(dir, { sysRoot: sys })).resolves.toEqual({ device: 'sdq1', journal: true });
    await expect(ext4WithoutJournalWarning(dir, { sysRoot: sys })).resolves.toBeUndefined();
  });

  it('is undefined for a block device that is not mounted as ext4 (XFS, btrfs)', async () => {
    fakeSys('nvme9n1p1');
    await expect(ext4MountOf(dir, { sysRoot: sys })).resolves.toBeUndefined();
    await expect(ext4WithoutJournalWarning(dir, { sysRoot: sys })).resolves.toBeUndefined();
  });

  it('is undefined when /sys names no block device for it (tmpfs, overlay, NFS, no /sys)', async () => {
    await expect(ext4MountOf(dir, { sysRoot: sys })).resolves.toBeUndefined();
    await expect(ext4MountOf(dir, { sysRoot: join(root, 'no-sys') })).resolves.toBeUndefined();
  });

  it('fails for a directory that does not exist; the warning judges it by its nearest existing ancestor', async () => {
    await expect(ext4MountOf(join(dir, 'blobs'), { sysRoot: sys })).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(ext4WithoutJournalWarning(join(dir, 'blobs', 'chunks'), { sysRoot: sys })).resolves.toBeUndefined();
    fakeSys('vdq', '<none>\n');
    await expect(ext4WithoutJournalWarning(join(dir, 'blobs', 'chunks'), { sysRoot: sys })).resolves.toMatchObject({ device: 'vdq' });
  });

  it('warnIfExt4WithoutJournal logs the warning with the directory and device, and nothing for a journaled ext4', async () => {
    const warned: [string, Record<string, unknown>][] = [];
    const log = { warn: (msg: string, fields: Record<string, unknown>) => warned.push([msg, fields]) };
    fakeSys('vdq', '412\n');
    await warnIfExt4WithoutJournal(dir, log, { sysRoot: sys });
    expect(warned).toEqual([]);
    writeFileSync(join(sys, 'fs', 'ext4', 'vdq', 'journal_task'), '<none>\n');
    await warnIfExt4WithoutJournal(dir, log, { sysRoot: sys });
    expect(warned).toEqual([[expect.stringMatching(/ext4 without a journal/), { dir, device: 'vdq' }]]);
  });

  it('warnIfExt4WithoutJournal never rejects (its callers do not await it): a logger that throws is swallowed', async () => {
    fakeSys('vdq', '<none>\n');
    const log = {
      warn: () => {
        throw new Error('log sink gone');
      },
    };
    await expect(warnIfExt4WithoutJournal(dir, log, { sysRoot: sys })).resolves.toBeUndefined();
  });

  it('answers for this machine through the real /sys, agreeing with journal_task', async () => {
    const mount = await ext4MountOf(tmpdir());
    if (mount === undefined) return; // this machine's temp dir is not on ext4: nothing more to compare
    const task = execFileSync('cat', [`/sys/fs/ext4/${mount.device}/journal_task`], { encoding: 'utf8' }).trim();
    expect(mount.journal).toBe(task !== '<none>');
  });
});
