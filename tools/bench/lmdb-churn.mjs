#!/usr/bin/env node
// LMDB under churn, outside the server: cycles of PUT n records (a version record of --value bytes and
// an object record of 220, 32 objects per write transaction, 4 transactions queued) then DELETE 90% of
// them (every tenth kept, so the free space fragments), printing each phase's rate and CPU per object.
// Made to choose LmdbKv's page size (libs/kv-embedded/src/lmdb-kv.ts DEFAULT_PAGE_SIZE): on 4 KiB pages
// a 4.4 KB record takes a run of two overflow pages, and write CPU per object rises cycle after cycle.
//
//   node tools/bench/lmdb-churn.mjs [--page-size 4096|8192|16384] [--cycles 8] [--objects 60000] [--value 4400]
// Not durable (noSync): the cost measured is LMDB's own bookkeeping, not the disk.
import { rmSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { open } from 'lmdb';

const { values: a } = parseArgs({ options: { 'page-size': { type: 'string', default: '8192' }, cycles: { type: 'string', default: '8' }, objects: { type: 'string', default: '60000' }, value: { type: 'string', default: '4400' } } });
const dir = mkdtempSync(join(tmpdir(), 'lmdb-churn-'));
const root = open({ path: dir, mapSize: 64 * 2 ** 30, keyEncoding: 'binary', encoding: 'binary', maxDbs: 4, overlappingSync: false, noSync: true, pageSize: Number(a['page-size']) });
const data = root.openDB('data', { keyEncoding: 'binary', encoding: 'binary' });
const value = Buffer.alloc(Number(a.value), 7);
const record = Buffer.alloc(220, 3);
const versionKey = (i) => Buffer.from(`v/bucket/obj4k/${String(i).padStart(8, '0')}/0192${((i * 7919) % 1e6).toString(16).padStart(12, '0')}`);
const objectKey = (i) => Buffer.from(`o/bucket/obj4k/${String(i).padStart(8, '0')}`);

async function phase(from, to, each) {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const queued = [];
  for (let i = from; i < to; i += 32) {
    queued.push(root.transaction(() => { for (let j = i; j < Math.min(to, i + 32); j++) each(j); }));
    if (queued.length >= 4) await queued.shift();
  }
  await Promise.all(queued);
  const cpu = process.cpuUsage(c0);
  const n = to - from;
  return `${Math.round((n / (performance.now() - t0)) * 1000)} op/s, ${((cpu.user + cpu.system) / n).toFixed(1)} µs/op`;
}

const n = Number(a.objects);
console.log(`page size ${root.getStats().pageSize}, ${n} objects of ${value.length} bytes per cycle`);
for (let c = 0, next = 0; c < Number(a.cycles); c++, next += n) {
  const put = await phase(next, next + n, (i) => { data.put(versionKey(i), value); data.put(objectKey(i), record); });
  const del = await phase(next, next + n, (i) => { if (i % 10) { data.remove(versionKey(i)); data.remove(objectKey(i)); } });
  console.log(`cycle ${c}: PUT ${put}; DELETE ${del}; file ${Math.round(statSync(join(dir, 'data.mdb')).size / 2 ** 20)} MiB`);
}
await root.close();
rmSync(dir, { recursive: true, force: true });
