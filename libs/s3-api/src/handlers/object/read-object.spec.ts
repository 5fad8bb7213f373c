import type { GetObjectReq, MetadataApi, ObjectVersion } from '@massive/contracts';
import type { S3ApiDeps, S3Request } from '../../types';
import { getObject } from './get-object';
import { headObject } from './head-object';

const BYTES = Buffer.from('four kibibytes, give or take');

/** A metadata port that answers as the metadata service does: inline bytes unless asked withoutData. */
function deps(asked: GetObjectReq[]): S3ApiDeps {
  const metadata = {
    getObject: async (req: GetObjectReq): Promise<ObjectVersion> => {
      asked.push(req);
      return {
        bucket: req.bucket,
        key: req.key,
        versionId: 'v1',
        size: BYTES.length,
        etag: 'e'.repeat(32),
        lastModified: Date.UTC(2026, 11, 4),
        headers: { contentType: 'text/plain', userMetadata: { a: 'b' }, tags: [{ key: 't', value: 'v' }] },
        data: req.withoutData ? { kind: 'omitted' } : { kind: 'inline', bytes: BYTES },
      };
    },
  } as unknown as MetadataApi;
  return { metadata } as unknown as S3ApiDeps;
}

function request(): S3Request {
  return { headers: {}, query: new URLSearchParams(), ctx: { requestId: 'r' } } as unknown as S3Request;
}

describe('GetObject / HeadObject', () => {
  const ep = { name: 'GetObject', bucket: 'b', key: 'k' } as never;

  it('HEAD asks for the version without its bytes and answers every header a GET does', async () => {
    const asked: GetObjectReq[] = [];
    const head = await headObject(ep, request(), deps(asked));
    const get = await getObject(ep, request(), deps(asked));
    expect(asked).toEqual([
      { bucket: 'b', key: 'k', versionId: undefined, withoutData: true },
      { bucket: 'b', key: 'k', versionId: undefined },
    ]);
    expect(head.status).toBe(200);
    expect(head.headers).toEqual(get.headers);
    expect(head.headers).toMatchObject({ 'Content-Length': BYTES.length, 'x-amz-tagging-count': 1, 'x-amz-meta-a': 'b' });
    expect(head.body).toBeUndefined();
    expect(get.body).toEqual(BYTES);
  });
});
