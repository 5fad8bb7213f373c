import { ServiceError, type MetadataApi } from '@massive/contracts';
import { DEFAULT_S3_CONFIG, type S3ApiDeps, type S3Request } from '../../types';
import { createBucket } from './create-bucket';

function call(region: string, failWith?: ServiceError) {
  const metadata = {
    createBucket: async () => {
      if (failWith) throw failWith;
      return {};
    },
  } as unknown as MetadataApi;
  const deps = { metadata, config: { ...DEFAULT_S3_CONFIG, region } } as unknown as S3ApiDeps;
  const req = {
    headers: {},
    owner: { id: 'o', displayName: 'o' },
    ctx: { requestId: 'r' },
    body: { collect: async () => Buffer.alloc(0), length: 0 },
  } as unknown as S3Request;
  return createBucket({ name: 'CreateBucket', bucket: 'my-bucket' } as never, req, deps);
}

describe('CreateBucket of a bucket the caller already owns', () => {
  const owned = () => new ServiceError('BucketAlreadyOwnedByYou', 'owned');

  it('answers 200 in us-east-1 (S3 legacy behaviour there)', async () => {
    await expect(call('us-east-1', owned())).resolves.toMatchObject({ status: 200, headers: { Location: '/my-bucket' } });
  });

  it('is BucketAlreadyOwnedByYou in any other region', async () => {
    await expect(call('eu-west-1', owned())).rejects.toMatchObject({ code: 'BucketAlreadyOwnedByYou' });
  });

  it('never hides BucketAlreadyExists (another owner)', async () => {
    await expect(call('us-east-1', new ServiceError('BucketAlreadyExists', 'taken'))).rejects.toMatchObject({ code: 'BucketAlreadyExists' });
  });
});
