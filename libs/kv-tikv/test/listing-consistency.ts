import { KvConflictError, type KvStore } from '@massive/kv';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const b = (s: string) => Buffer.from(s, 'latin1');
const s = (x: Buffer) => x.toString('latin1');

export interface ListingRun {
  readonly problems: string[];
  readonly pages: number;
  readonly listings: number;
  /** id -> [value of /1, value of /2] at the end. */
  readonly final: Map<string, [string | undefined, string | undefined]>;
}

/** Runs a txn until it commits (conflicts are expected here). */
export async function retryTxn(kv: KvStore, fn: Parameters<KvStore['txn']>[0]): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await kv.txn(fn);
      return;
    } catch (err) {
      if (!(err instanceof KvConflictError) || attempt > 200) throw err;
      await sleep(Math.random() * 5 * Math.min(attempt + 1, 8));
    }
  }
}

/**
 * Writers put or delete pairs `k/<id>/1`, `k/<id>/2` (same value, same txn) while listers page
 * through `k/` with limit 5, one transaction per page. Every page must be one snapshot: a pair
 * whose both keys fall in the page's range shows both with the same value or neither; within a
 * listing no key appears twice and pages are sorted. `during` runs alongside (e.g. region churn).
 */
export async function runListingConsistency(
  writers: readonly KvStore[],
  listers: readonly KvStore[],
  opts: { txnsPerWriter?: number; during?: (running: () => boolean) => Promise<void> } = {},
): Promise<ListingRun> {
  const ids = Array.from({ length: 16 }, (_, i) => String(i).padStart(2, '0'));
  const first = (id: string) => `k/${id}/1`;
  const second = (id: string) => `k/${id}/2`;
  let writing = true;
  const problems: string[] = [];
  let pages = 0;
  let listings = 0;

  const write = async (kv: KvStore, w: number) => {
    for (let i = 0; i < (opts.txnsPerWriter ?? 25); i++) {
      const id = ids[(w * 7 + i * 5) % ids.length];
      await retryTxn(kv, async (tx) => {
        const now = await tx.get(b(first(id)));
        if (now && i % 3 === 2) {
          tx.delete(b(first(id)));
          tx.delete(b(second(id)));
        } else {
          tx.put(b(first(id)), b(`w${w}-${i}`));
          tx.put(b(second(id)), b(`w${w}-${i}`));
        }
      });
    }
  };

  const list = async (kv: KvStore) => {
    while (writing) {
      const seen = new Set<string>();
      let start = b('k/');
      for (;;) {
        const page = await kv.txn((tx) => tx.scan(start, b('k0'), { limit: 5 }));
        pages++;
        const keys = page.map((p) => s(p.key));
        const values = new Map(page.map((p) => [s(p.key), s(p.value)]));
        const from = s(start);
        const to = page.length === 5 ? keys[keys.length - 1] : '\xff';
        for (const key of keys) {
          if (seen.has(key)) problems.push(`duplicate ${key}`);
          seen.add(key);
          const id = key.split('/')[1];
          const sibling = key.endsWith('/1') ? second(id) : first(id);
          if (sibling >= from && sibling <= to && values.get(sibling) !== values.get(key)) {
            problems.push(`page [${from}, ${to}] has ${key}=${values.get(key)} but ${sibling}=${values.get(sibling)}`);
          }
        }
        if (keys.join() !== [...keys].sort().join()) problems.push(`unsorted page ${keys.join()}`);
        if (page.length < 5) break;
        start = Buffer.concat([page[page.length - 1].key, Buffer.from([0])]);
      }
      listings++;
    }
  };

  const listing = listers.map(list);
  const side = opts.during?.(() => writing);
  try {
    await Promise.all(writers.map(write));
  } finally {
    writing = false;
  }
  await Promise.all([...listing, side]);

  const all = await writers[0].txn((tx) => tx.scan(b('k/'), b('k0')));
  const byKey = new Map(all.map((p) => [s(p.key), s(p.value)]));
  const final = new Map(ids.map((id) => [id, [byKey.get(first(id)), byKey.get(second(id))] as [string | undefined, string | undefined]]));
  return { problems, pages, listings, final };
}
