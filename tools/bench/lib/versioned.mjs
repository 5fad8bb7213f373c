// Versioned-bucket workloads: the 4 KiB PUT/GET and a listing on a bucket with versioning Enabled, so
// the cost of versioning shows next to put4k / get4k / list (issue 9 aims at within 10%).
import { createHash } from 'node:crypto';
import { expectStatus, MismatchError, S3Http, xmlText } from './client.mjs';
import { round } from './load.mjs';
import { canonicalQuery, EMPTY_SHA256, UNSIGNED_PAYLOAD } from './sigv4.mjs';

const pad = (n, w = 8) => String(n).padStart(w, '0');
const VERSIONING_ENABLED = Buffer.from(
  '<VersioningConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Status>Enabled</Status></VersioningConfiguration>',
);

/** Turns versioning on (untimed setup). */
export async function enableVersioning(ctx, bucket) {
  const r = await ctx.s3.request({
    agent: ctx.setupAgent,
    method: 'PUT',
    path: `/${bucket}`,
    query: canonicalQuery({ versioning: '' }),
    body: VERSIONING_ENABLED,
    payloadHash: createHash('sha256').update(VERSIONING_ENABLED).digest('hex'),
  });
  expectStatus(r, 200, `PutBucketVersioning ${bucket}`);
}

/** Workloads over `ctx` (a BenchContext): state lives in ctx.versioned. */
export const versionedWorkloads = {
  async putVersioned(agent, n) {
    const body = this.bodies4k[n % this.bodies4k.length];
    const signed = this.payloadFor(body.data.length) === 'sha256';
    const key = `v4k/${pad(n)}`;
    const r = await this.s3.request({ agent, method: 'PUT', path: `/${this.buckets.versioned}/${key}`, body: body.data, payloadHash: signed ? body.sha256 : UNSIGNED_PAYLOAD });
    if (r.status !== 200) {
      this.versioned.failed.add(n);
      expectStatus(r, 200, `PUT ${key} (versioned)`);
    }
    if (r.headers.etag !== body.etag) throw new MismatchError(`PUT ${key}: ETag ${r.headers.etag}, expected ${body.etag}`);
    if (!r.headers['x-amz-version-id'] || r.headers['x-amz-version-id'] === 'null') {
      throw new MismatchError(`PUT ${key}: x-amz-version-id ${r.headers['x-amz-version-id']} on a versioned bucket`);
    }
    return body.data.length;
  },

  async ensureVersioned(min) {
    if (this.versioned.next >= min) return;
    const agent = this.setupAgent;
    await Promise.all(
      Array.from({ length: 32 }, async () => {
        while (this.versioned.next < min) await this.putVersioned(agent, this.versioned.next++);
      }),
    );
  },

  async vput4k() {
    const agent = this.s3.agent(this.opts.concurrency('vput4k'));
    try {
      const res = await this.load('vput4k', () => this.putVersioned(agent, this.versioned.next++));
      return { ...res, payload: this.payloadFor(4096), note: 'PUT 4 KiB to a bucket with versioning Enabled' };
    } finally {
      agent.destroy();
    }
  },

  async vget4k() {
    await this.ensureVersioned(this.opts.smallObjects);
    const agent = this.s3.agent(this.opts.concurrency('vget4k'));
    const bucket = this.buckets.versioned;
    try {
      const res = await this.load('vget4k', async () => {
        let n;
        do n = Math.floor(Math.random() * this.versioned.next);
        while (this.versioned.failed.has(n));
        const body = this.bodies4k[n % this.bodies4k.length];
        const r = await this.s3.request({ agent, method: 'GET', path: `/${bucket}/v4k/${pad(n)}` });
        expectStatus(r, 200, `GET v4k/${pad(n)} (versioned)`);
        if (!body.data.equals(r.body)) throw new MismatchError(`GET v4k/${pad(n)}: body differs from what was written`);
        if (!r.headers['x-amz-version-id']) throw new MismatchError(`GET v4k/${pad(n)}: no x-amz-version-id`);
        return r.bytes;
      });
      return { ...res, note: 'GET latest 4 KiB version' };
    } finally {
      agent.destroy();
    }
  },

  /** A versioned bucket of --list-keys keys, each with a version under a delete marker (2 entries). */
  async ensureVersionedList() {
    if (this.versioned.listReady) return;
    const total = this.opts.listKeys;
    const t = performance.now();
    let i = 0;
    const agent = this.setupAgent;
    const bucket = this.buckets.vlist;
    await Promise.all(
      Array.from({ length: 32 }, async () => {
        while (i < total) {
          const path = S3Http.objectPath(bucket, this.listKey(i++));
          expectStatus(await this.s3.request({ agent, method: 'PUT', path, body: Buffer.alloc(0), payloadHash: EMPTY_SHA256 }), 200, `PUT ${path}`);
          expectStatus(await this.s3.request({ agent, method: 'DELETE', path }), 204, `DELETE ${path}`);
        }
      }),
    );
    this.log(`  (setup: wrote ${total} versions and ${total} delete markers for vlist in ${((performance.now() - t) / 1000).toFixed(1)} s)`);
    this.versioned.listReady = true;
  },

  /** ListObjectVersions in pages of 1000 entries; every page's count, first key and kinds checked. */
  async vlist() {
    await this.ensureVersionedList();
    const conc = this.opts.concurrency('vlist');
    const agent = this.s3.agent(conc);
    const total = 2 * this.opts.listKeys;
    const pageSize = 1000;
    const cursors = Array.from({ length: conc }, () => ({ page: 0, keyMarker: undefined, versionIdMarker: undefined }));
    try {
      const res = await this.load('vlist', async (w) => {
        const c = cursors[w];
        const params = { versions: '', 'max-keys': pageSize, ...(c.keyMarker !== undefined && { 'key-marker': c.keyMarker, 'version-id-marker': c.versionIdMarker }) };
        const r = await this.s3.request({ agent, method: 'GET', path: `/${this.buckets.vlist}`, query: canonicalQuery(params) });
        expectStatus(r, 200, `ListObjectVersions page ${c.page}`);
        const xml = r.body.toString();
        const first = c.page * pageSize;
        const expected = Math.min(pageSize, total - first);
        const markers = xml.split('<DeleteMarker>').length - 1;
        const versions = xml.split('<Version>').length - 1;
        if (markers + versions !== expected || Math.abs(markers - versions) > 1) {
          throw new MismatchError(`ListObjectVersions page ${c.page}: ${versions} versions + ${markers} markers, expected ${expected} entries, half each`);
        }
        const firstKey = xmlText(xml, 'Key');
        if (expected > 0 && firstKey !== this.listKey(Math.floor(first / 2))) {
          throw new MismatchError(`ListObjectVersions page ${c.page}: first key ${firstKey}, expected ${this.listKey(Math.floor(first / 2))}`);
        }
        const truncated = xmlText(xml, 'IsTruncated') === 'true';
        if (truncated !== first + expected < total) throw new MismatchError(`ListObjectVersions page ${c.page}: IsTruncated=${truncated}`);
        if (truncated) {
          c.keyMarker = xmlText(xml, 'NextKeyMarker');
          c.versionIdMarker = xmlText(xml, 'NextVersionIdMarker');
          if (!c.keyMarker || !c.versionIdMarker) throw new MismatchError(`ListObjectVersions page ${c.page}: truncated without next markers`);
          c.page++;
        } else {
          Object.assign(c, { page: 0, keyMarker: undefined, versionIdMarker: undefined });
        }
        return r.bytes;
      });
      return { ...res, keysPerSec: round(res.opsPerSec * pageSize, 0), bucketKeys: this.opts.listKeys, note: 'ListObjectVersions, a version + a marker per key' };
    } finally {
      agent.destroy();
    }
  },
};
