import type { IncomingHttpHeaders } from 'node:http';
import { isServiceError, type CallCtx } from '@massive/contracts';
import { S3Error, type Endpoint } from '@massive/s3-protocol';
import { parseCopySource } from './copy-source';
import { header } from './object-headers';
import type { S3ApiDeps } from '../types';

/**
 * `x-amz-expected-bucket-owner` (any bucket operation) and `x-amz-source-expected-bucket-owner` (copies):
 * the request fails with 403 AccessDenied when the bucket belongs to another owner, as S3. Only requests
 * carrying one of the headers pay the bucket lookup. A bucket that does not exist is left to the handler.
 */
export function checkExpectedOwners(ep: Endpoint, h: IncomingHttpHeaders, deps: S3ApiDeps, ctx: CallCtx): Promise<void> | undefined {
  const expected = header(h, 'x-amz-expected-bucket-owner');
  const source = header(h, 'x-amz-source-expected-bucket-owner');
  // Most requests name no expected owner: nothing to wait for (no promise, no turn of the microtask queue).
  if (expected === undefined && source === undefined) return undefined;
  return checkNamedOwners(ep, h, expected, source, deps, ctx);
}

async function checkNamedOwners(ep: Endpoint, h: IncomingHttpHeaders, expected: string | undefined, source: string | undefined, deps: S3ApiDeps, ctx: CallCtx): Promise<void> {
  if (expected !== undefined && 'bucket' in ep) await check(ep.bucket, expected, deps, ctx);
  const copySource = header(h, 'x-amz-copy-source');
  if (source !== undefined && copySource !== undefined && (ep.name === 'CopyObject' || ep.name === 'UploadPartCopy')) {
    await check(parseCopySource(copySource, deps.config.maxKeyBytes).bucket, source, deps, ctx);
  }
}

async function check(bucket: string, expected: string, deps: S3ApiDeps, ctx: CallCtx): Promise<void> {
  let owner: string;
  try {
    owner = (await deps.metadata.getBucket({ name: bucket }, ctx)).owner.id;
  } catch (err) {
    if (isServiceError(err, 'NoSuchBucket')) return;
    throw err;
  }
  if (owner !== expected.trim()) throw new S3Error('AccessDenied');
}
