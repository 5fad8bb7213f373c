import { ROUTES } from '@massive/s3-protocol';
import { HANDLERS } from './index';
import { deleteBucketEncryption } from './bucket/delete-bucket-encryption';
import { getBucketEncryption } from './bucket/get-bucket-encryption';
import { putBucketEncryption } from './bucket/put-bucket-encryption';

describe('HANDLERS', () => {
  it('serves every endpoint the routing table names (a rule without a handler would answer 501)', () => {
    expect(ROUTES.map((r) => r.name).filter((name) => HANDLERS[name] === undefined)).toEqual([]);
  });

  it('serves bucket default encryption with its own handlers, no longer as a feature never configured', () => {
    expect(HANDLERS.PutBucketEncryption).toBe(putBucketEncryption);
    expect(HANDLERS.GetBucketEncryption).toBe(getBucketEncryption);
    expect(HANDLERS.DeleteBucketEncryption).toBe(deleteBucketEncryption);
  });
});
