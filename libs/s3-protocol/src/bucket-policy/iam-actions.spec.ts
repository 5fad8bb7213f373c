import { ROUTES, type Endpoint } from '../routing';
import { ENDPOINT_ACTIONS, iamRequestOf } from './iam-actions';
import { S3_ACTIONS } from './s3-actions';

describe('endpoint → IAM action', () => {
  it('every routed endpoint has a known S3 action of the right resource type', () => {
    for (const r of ROUTES) {
      const rule = ENDPOINT_ACTIONS[r.name];
      expect([r.name, S3_ACTIONS.has(`s3:${rule.action}`)]).toEqual([r.name, true]);
      if (rule.versioned) expect(S3_ACTIONS.get(`s3:${rule.versioned}`)).toBe('object');
      const type = S3_ACTIONS.get(`s3:${rule.action}`);
      const expected = r.name === 'ListBuckets' ? 'account' : r.target === 'object' || r.name === 'DeleteObjects' || r.name === 'PostObject' ? 'object' : 'bucket';
      expect([r.name, type]).toEqual([r.name, expected]);
    }
  });

  it.each<[Endpoint, string | null, string, string]>([
    [{ name: 'GetObject', bucket: 'b', key: 'a/b.txt' }, null, 's3:GetObject', 'arn:aws:s3:::b/a/b.txt'],
    [{ name: 'GetObject', bucket: 'b', key: 'k' }, 'v1', 's3:GetObjectVersion', 'arn:aws:s3:::b/k'],
    [{ name: 'HeadObject', bucket: 'b', key: 'k' }, null, 's3:GetObject', 'arn:aws:s3:::b/k'],
    [{ name: 'DeleteObject', bucket: 'b', key: 'k' }, 'v1', 's3:DeleteObjectVersion', 'arn:aws:s3:::b/k'],
    [{ name: 'ListObjectsV2', bucket: 'b' }, null, 's3:ListBucket', 'arn:aws:s3:::b'],
    [{ name: 'ListObjectVersions', bucket: 'b' }, null, 's3:ListBucketVersions', 'arn:aws:s3:::b'],
    [{ name: 'GetObjectTagging', bucket: 'b', key: 'k' }, 'v', 's3:GetObjectVersionTagging', 'arn:aws:s3:::b/k'],
    [{ name: 'UploadPart', bucket: 'b', key: 'k', uploadId: 'u', partNumber: 1 }, null, 's3:PutObject', 'arn:aws:s3:::b/k'],
    [{ name: 'DeleteBucketCors', bucket: 'b' }, null, 's3:PutBucketCORS', 'arn:aws:s3:::b'],
    [{ name: 'GetBucketPolicyStatus', bucket: 'b' }, null, 's3:GetBucketPolicyStatus', 'arn:aws:s3:::b'],
  ])('%j (versionId %s) is %s on %s', (ep, versionId, action, resource) => {
    expect(iamRequestOf(ep, versionId)).toEqual({ action, resource });
  });

  it('DeleteObjects and PostObject are checked per key', () => {
    expect(iamRequestOf({ name: 'DeleteObjects', bucket: 'b' })).toEqual({ action: 's3:DeleteObject', resource: 'arn:aws:s3:::b', perKey: true });
  });

  it('ListBuckets and Unsupported have no bucket policy', () => {
    expect(iamRequestOf({ name: 'ListBuckets' })).toBeUndefined();
    expect(iamRequestOf({ name: 'Unsupported', bucket: 'b', operation: 'GET ?website' })).toBeUndefined();
  });
});
