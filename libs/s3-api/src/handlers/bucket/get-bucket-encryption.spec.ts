import { ServiceError, type MetadataApi } from '@massive/contracts';
import type { S3ApiDeps, S3Request } from '../../types';
import { getBucketEncryption } from './get-bucket-encryption';

/** Metadata whose bucket `b` has `doc` as its encryption document (none when undefined). */
function get(bucket: string, doc: string | undefined) {
  const metadata = {
    getBucketConfig: async (req: { bucket: string; kinds: string[] }) => {
      if (req.bucket !== 'b') throw new ServiceError('NoSuchBucket', 'no bucket');
      expect(req.kinds).toEqual(['encryption']);
      return { bucket: { name: req.bucket }, documents: doc === undefined ? {} : { encryption: doc } };
    },
  } as unknown as MetadataApi;
  const req = { headers: {}, ctx: { requestId: 'r' } } as unknown as S3Request;
  return getBucketEncryption({ name: 'GetBucketEncryption', bucket }, req, { metadata } as unknown as S3ApiDeps);
}

describe('GetBucketEncryption', () => {
  it('answers the stored default as S3 does, BucketKeyEnabled included', async () => {
    const out = await get('b', '{"v":1,"a":"AES256","bk":true}');
    expect(out).toMatchObject({ status: 200, headers: { 'Content-Type': 'application/xml' } });
    expect(out.body).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n<ServerSideEncryptionConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Rule><ApplyServerSideEncryptionByDefault>' +
        '<SSEAlgorithm>AES256</SSEAlgorithm></ApplyServerSideEncryptionByDefault><BucketKeyEnabled>true</BucketKeyEnabled></Rule></ServerSideEncryptionConfiguration>',
    );
    expect((await get('b', '{"v":1,"a":"AES256","bk":false}')).body).toContain('<BucketKeyEnabled>false</BucketKeyEnabled>');
  });

  it('is ServerSideEncryptionConfigurationNotFoundError (404, with BucketName) for a bucket without one', async () => {
    await expect(get('b', undefined)).rejects.toMatchObject({
      code: 'ServerSideEncryptionConfigurationNotFoundError',
      status: 404,
      extra: { BucketName: 'b' },
    });
  });

  it('is NoSuchBucket for a missing bucket', async () => {
    await expect(get('nope', undefined)).rejects.toMatchObject({ code: 'NoSuchBucket' });
  });

  it('fails (a server fault) on a stored document it cannot read, rather than answer "none"', async () => {
    await expect(get('b', '{"v":2}')).rejects.toThrow('stored encryption document is unreadable');
  });
});
