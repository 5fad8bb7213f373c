import type { MetadataApi, ObjectVersion, PutObjectReq } from '@massive/contracts';
import { createHash } from 'node:crypto';
import { DEFAULT_S3_CONFIG, type RequestBody, type S3ApiDeps, type S3Request } from '../../types';
import { fedTo, type HashJob } from '../../http/hashing/hash-job';
import { putObject } from './put-object';

const BYTES = Buffer.from('a small object, kept inline');

/** A metadata port that answers as the metadata service does: the bytes repeated unless asked withoutData. */
function deps(asked: PutObjectReq[]): S3ApiDeps {
  const metadata = {
    putObject: async (req: PutObjectReq): Promise<ObjectVersion> => {
      asked.push(req);
      const data = req.data.kind === 'inline' && !req.withoutData ? req.data : { kind: 'omitted' as const };
      return { bucket: req.bucket, key: req.key, versionId: 'v1', size: req.size, etag: req.etag, lastModified: Date.UTC(2026, 11, 4), headers: req.headers, data };
    },
  } as unknown as MetadataApi;
  return { metadata, config: DEFAULT_S3_CONFIG } as unknown as S3ApiDeps;
}

function request(body: Buffer): S3Request {
  const full: RequestBody = {
    length: body.length,
    framed: true,
    selfHashes: [],
    trailers: () => ({}),
    stream(job?: HashJob) {
      async function* one() {
        yield body;
      }
      return job ? fedTo(one(), job) : one();
    },
    collect: async () => body,
  };
  return { method: 'PUT', headers: {}, query: new URLSearchParams(), body: full, owner: { id: 'o', displayName: 'o' }, requestId: 'r', ctx: { requestId: 'r' } } as unknown as S3Request;
}

describe('PutObject', () => {
  const ep = { name: 'PutObject', bucket: 'b', key: 'k' } as never;

  it('stores an inline body without asking for it back, and answers the ETag from the version written', async () => {
    const asked: PutObjectReq[] = [];
    const res = await putObject(ep, request(BYTES), deps(asked));
    expect(asked).toHaveLength(1);
    expect(asked[0]).toMatchObject({ bucket: 'b', key: 'k', data: { kind: 'inline', bytes: BYTES }, size: BYTES.length, withoutData: true });
    expect(res.status).toBe(200);
    expect(res.headers).toMatchObject({ ETag: `"${createHash('md5').update(BYTES).digest('hex')}"` });
  });
});
