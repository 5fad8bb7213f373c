import type { IncomingHttpHeaders } from 'node:http';
import type { ObjectHeaders, ObjectTag } from '@massive/contracts';
import { parseTaggingHeader, S3Error, validateTagSet, type Tag } from '@massive/s3-protocol';
import { header } from './object-headers';

/** Tagging documents are a few KiB at most (50 tags of 128 + 256 characters, escaped): 64 KiB is ample. */
export const MAX_TAGGING_XML = 64 * 1024;

export function toObjectTags(tags: readonly Tag[]): ObjectTag[] {
  return tags.map((t) => ({ key: t.Key, value: t.Value }));
}

export function fromObjectTags(tags: readonly ObjectTag[] | undefined): Tag[] {
  return (tags ?? []).map((t) => ({ Key: t.key, Value: t.value }));
}

/** `x-amz-tagging` of a PutObject / CreateMultipartUpload / CopyObject(REPLACE); undefined when absent. */
export function requestTags(h: IncomingHttpHeaders): ObjectTag[] | undefined {
  const raw = header(h, 'x-amz-tagging');
  return raw === undefined ? undefined : toObjectTags(parseTaggingHeader(raw));
}

/** Object headers with this tag set (none: no `tags` field at all, as metadata stores "no tags"). */
export function withTags(headers: ObjectHeaders, tags: readonly ObjectTag[] | undefined): ObjectHeaders {
  const { tags: _old, ...rest } = headers;
  return tags !== undefined && tags.length > 0 ? { ...rest, tags } : rest;
}

/**
 * CopyObject's `x-amz-tagging-directive`: COPY (the default) keeps the source's tags and ignores
 * `x-amz-tagging`; REPLACE takes `x-amz-tagging` (none: no tags). Anything else is InvalidArgument.
 */
export function copyTags(h: IncomingHttpHeaders, sourceTags: readonly ObjectTag[] | undefined): readonly ObjectTag[] | undefined {
  const directive = (header(h, 'x-amz-tagging-directive') ?? 'COPY').toUpperCase();
  if (directive === 'COPY') return sourceTags;
  if (directive === 'REPLACE') return requestTags(h);
  throw new S3Error('InvalidArgument', 'Unknown tagging directive.', { ArgumentName: 'x-amz-tagging-directive', ArgumentValue: directive });
}

/**
 * A bucket's tag set as stored in its `tagging` configuration: canonical JSON of our own, versioned
 * (`{"v":1,"tags":[{"key","value"}]}`), never the client's XML.
 */
export function encodeBucketTags(tags: readonly Tag[]): string {
  return JSON.stringify({ v: 1, tags: toObjectTags(validateTagSet(tags, 'bucket')) });
}

export function decodeBucketTags(doc: string): Tag[] {
  const parsed: unknown = JSON.parse(doc);
  if (!isBucketTagsDocument(parsed)) throw new Error('stored bucket tagging document has an unknown format');
  return fromObjectTags(parsed.tags);
}

function isBucketTagsDocument(x: unknown): x is { v: 1; tags: ObjectTag[] } {
  if (typeof x !== 'object' || x === null) return false;
  const d = x as { v?: unknown; tags?: unknown };
  return (
    d.v === 1 &&
    Array.isArray(d.tags) &&
    d.tags.every((t: unknown) => typeof t === 'object' && t !== null && typeof (t as ObjectTag).key === 'string' && typeof (t as ObjectTag).value === 'string')
  );
}
