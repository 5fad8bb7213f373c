import { refuseUnsupportedHeaders } from './unsupported-headers';

describe('refuseUnsupportedHeaders', () => {
  it.each([
    { 'x-amz-object-lock-event-hold': 'ON' },
    { 'x-amz-object-lock-event-hold-duration-days': '1' },
    { 'x-amz-object-lock-event-hold-duration-years': '1' },
    { 'x-amz-checksum-sha512': 'AAAA' },
    { 'x-amz-checksum-md5': 'AAAA' },
    { 'x-amz-checksum-xxhash64': 'AAAA' },
    { 'x-amz-checksum-xxhash3': 'AAAA' },
    { 'x-amz-checksum-xxhash128': 'AAAA' },
    { 'x-amz-object-annotation-directive': 'COPY' },
    { 'x-amz-write-offset-bytes': '0' },
    { 'x-amz-mfa': '123 456' },
  ])('refuses %j with NotImplemented naming the header', (h) => {
    expect(() => refuseUnsupportedHeaders(h, 'PutObject', false)).toThrow(
      expect.objectContaining({ code: 'NotImplemented', status: 501, extra: { Header: Object.keys(h)[0] } }),
    );
  });

  it('leaves the SSE-KMS headers to the writes that take them (object-encryption.ts), and refuses them elsewhere as the SSE header', () => {
    for (const name of ['x-amz-server-side-encryption-aws-kms-key-id', 'x-amz-server-side-encryption-context', 'x-amz-server-side-encryption-bucket-key-enabled']) {
      for (const op of ['PutObject', 'CopyObject', 'CreateMultipartUpload', 'PostObject'] as const) expect(() => refuseUnsupportedHeaders({ [name]: 'v' }, op, false)).not.toThrow();
      for (const op of ['GetObject', 'HeadObject', 'UploadPart'] as const) {
        expect(() => refuseUnsupportedHeaders({ [name]: 'v' }, op, false)).toThrow(
          expect.objectContaining({ code: 'InvalidArgument', message: `${name} header is not supported for this operation.`, extra: { ArgumentName: name, ArgumentValue: 'v' } }),
        );
      }
    }
  });

  it('leaves a website redirect location to the writes that store it (object-headers.ts validates it)', () => {
    expect(() => refuseUnsupportedHeaders({ 'x-amz-website-redirect-location': '/other' }, 'PutObject', false)).not.toThrow();
  });

  it.each(['PutObject', 'CopyObject', 'CreateMultipartUpload'] as const)('%s: a storage class other than STANDARD is InvalidStorageClass', (op) => {
    for (const sc of ['GLACIER', 'STANDARD_IA', 'REDUCED_REDUNDANCY', 'standard', 'NOPE']) {
      expect(() => refuseUnsupportedHeaders({ 'x-amz-storage-class': sc }, op, false)).toThrow(
        expect.objectContaining({ code: 'InvalidStorageClass', status: 400, extra: { StorageClassRequested: sc } }),
      );
    }
    expect(() => refuseUnsupportedHeaders({ 'x-amz-storage-class': 'STANDARD' }, op, false)).not.toThrow();
  });

  it('leaves x-amz-server-side-encryption to the writes that take it, and refuses it elsewhere as S3 does', () => {
    for (const op of ['PutObject', 'CopyObject', 'CreateMultipartUpload', 'PostObject'] as const) {
      expect(() => refuseUnsupportedHeaders({ 'x-amz-server-side-encryption': 'AES256' }, op, false)).not.toThrow();
    }
    for (const op of ['GetObject', 'HeadObject', 'UploadPart', 'CompleteMultipartUpload', 'DeleteObject'] as const) {
      expect(() => refuseUnsupportedHeaders({ 'x-amz-server-side-encryption': 'AES256' }, op, false)).toThrow(
        expect.objectContaining({
          code: 'InvalidArgument',
          status: 400,
          message: 'x-amz-server-side-encryption header is not supported for this operation.',
          extra: { ArgumentName: 'x-amz-server-side-encryption', ArgumentValue: 'AES256' },
        }),
      );
    }
  });

  it.each([
    'x-amz-server-side-encryption-customer-algorithm',
    'x-amz-server-side-encryption-customer-key',
    'x-amz-server-side-encryption-customer-key-md5',
    'x-amz-copy-source-server-side-encryption-customer-algorithm',
    'x-amz-copy-source-server-side-encryption-customer-key',
    'x-amz-copy-source-server-side-encryption-customer-key-md5',
  ])('takes %s (SSE-C) only over TLS, as S3 does', (name) => {
    for (const op of ['PutObject', 'GetObject', 'CopyObject'] as const) {
      expect(() => refuseUnsupportedHeaders({ [name]: 'x' }, op, false)).toThrow(
        expect.objectContaining({
          code: 'InvalidArgument',
          status: 400,
          message: 'Requests specifying Server Side Encryption with Customer provided keys must be made over a secure connection.',
        }),
      );
      expect(() => refuseUnsupportedHeaders({ [name]: 'x' }, op, true)).not.toThrow();
    }
  });

  it('accepts ordinary requests', () => {
    expect(() => refuseUnsupportedHeaders({ 'content-type': 'text/plain' }, 'PutObject', false)).not.toThrow();
    expect(() => refuseUnsupportedHeaders({ 'x-amz-bucket-object-lock-enabled': 'false' }, 'CreateBucket', false)).not.toThrow();
    // Object Lock's retention, legal hold and bypass are served (http/object-lock.ts); only event holds are not.
    expect(() => refuseUnsupportedHeaders({ 'x-amz-bucket-object-lock-enabled': 'true' }, 'CreateBucket', false)).not.toThrow();
    const lock = { 'x-amz-object-lock-mode': 'COMPLIANCE', 'x-amz-object-lock-retain-until-date': '2030-01-01T00:00:00Z', 'x-amz-object-lock-legal-hold': 'ON' };
    expect(() => refuseUnsupportedHeaders(lock, 'PutObject', false)).not.toThrow();
    expect(() => refuseUnsupportedHeaders({ 'x-amz-bypass-governance-retention': 'true' }, 'DeleteObject', false)).not.toThrow();
    expect(() => refuseUnsupportedHeaders({}, 'GetObject', false)).not.toThrow();
  });
});
