import { ERROR_CODES, ServiceError } from '@massive/contracts';
import { S3_ERRORS, S3Error } from '@massive/s3-protocol';
import { SERVICE_TO_S3, toS3Error } from './to-s3-error';

describe('toS3Error', () => {
  it('Unavailable from a dependency that is up but full (detail slowDown) is 503 SlowDown', () => {
    const { error } = toS3Error(new ServiceError('Unavailable', 'no writable volumes', { slowDown: 1 }));
    expect([error.code, error.status]).toEqual(['SlowDown', 503]);
  });

  it('maps every domain code to a real S3 code', () => {
    for (const code of ERROR_CODES) expect(S3_ERRORS[SERVICE_TO_S3[code]]).toBeDefined();
  });

  it.each([
    ['NoSuchBucket', 'NoSuchBucket', 404],
    ['NoSuchKey', 'NoSuchKey', 404],
    ['NoSuchUpload', 'NoSuchUpload', 404],
    ['BucketNotEmpty', 'BucketNotEmpty', 409],
    ['BucketAlreadyOwnedByYou', 'BucketAlreadyOwnedByYou', 409],
    ['PreconditionFailed', 'PreconditionFailed', 412],
    ['InvalidPart', 'InvalidPart', 400],
    ['InvalidPartOrder', 'InvalidPartOrder', 400],
    ['EntityTooSmall', 'EntityTooSmall', 400],
    ['Unavailable', 'ServiceUnavailable', 503],
    ['Conflict', 'SlowDown', 503],
    ['DataCorrupted', 'InternalError', 500],
    ['Internal', 'InternalError', 500],
    ['IntentExpired', 'RequestTimeout', 400],
    ['InsufficientStorage', 'InsufficientStorage', 507],
  ] as const)('%s → %s (%i)', (from, to, status) => {
    const { error } = toS3Error(new ServiceError(from, 'detail'));
    expect(error.code).toBe(to);
    expect(error.status).toBe(status);
  });

  it('InsufficientStorage keeps the domain message to itself (it may name a path) and is not an internal error', () => {
    const { error, internal } = toS3Error(new ServiceError('InsufficientStorage', 'PutObject: refused, 1 MiB free on /var/lib/massive, below the 256 MiB reserve'));
    expect(error.message).toBe('The storage backend has no room for this write. Delete objects or add capacity: reads and deletes still work.');
    expect(internal).toBe(false);
  });

  it('passes S3Error through untouched', () => {
    const e = new S3Error('InvalidRange');
    expect(toS3Error(e)).toEqual({ error: e, internal: false });
  });

  it('never exposes an unknown error message', () => {
    const { error, internal } = toS3Error(new Error('secret path /var/x'));
    expect(error.code).toBe('InternalError');
    expect(error.message).not.toContain('secret');
    expect(internal).toBe(true);
    expect(toS3Error(new ServiceError('Internal', 'db exploded')).error.message).not.toContain('exploded');
  });

  it('names the bucket and key', () => {
    expect(toS3Error(new ServiceError('NoSuchKey'), { bucket: 'b', key: 'k' }).error.extra).toEqual({ Key: 'k' });
    expect(toS3Error(new ServiceError('NoSuchBucket'), { bucket: 'b' }).error.extra).toEqual({ BucketName: 'b' });
  });

  it('says when a GET met a delete marker: NoSuchKey (latest) or MethodNotAllowed (by id)', () => {
    const latest = toS3Error(new ServiceError('NoSuchKey', 'gone', { deleteMarker: 'true', versionId: 'v1' }), { key: 'k' }).error;
    expect(latest.code).toBe('NoSuchKey');
    expect(latest.headers).toEqual({ 'x-amz-delete-marker': 'true', 'x-amz-version-id': 'v1' });
    const byId = toS3Error(new ServiceError('MethodNotAllowed', 'marker', { deleteMarker: 'true', versionId: 'null', lastModified: 0 })).error;
    expect(byId.code).toBe('MethodNotAllowed');
    expect(byId.headers).toEqual({
      'x-amz-delete-marker': 'true',
      'x-amz-version-id': 'null',
      'Last-Modified': 'Thu, 01 Jan 1970 00:00:00 GMT',
      Allow: 'DELETE',
    });
    expect(toS3Error(new ServiceError('NoSuchKey', 'plain')).error.headers).toEqual({});
  });

  it('names the argument of an InvalidArgument', () => {
    const e = toS3Error(new ServiceError('InvalidArgument', 'Invalid version id specified', { ArgumentName: 'versionId', ArgumentValue: 'x' })).error;
    expect(e.extra).toMatchObject({ ArgumentName: 'versionId', ArgumentValue: 'x' });
  });
});
