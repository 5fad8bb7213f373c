import { S3Error } from '../errors';
import { validateTagSet, type Tag } from './tag-set';

const HEADER_ERROR =
  "The header 'x-amz-tagging' shall be encoded as UTF-8 then URLEncoded URL query parameters without tag name duplicates.";

function invalidHeader(): S3Error {
  return new S3Error('InvalidArgument', HEADER_ERROR, { ArgumentName: 'x-amz-tagging' });
}

function decodeComponent(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    throw invalidHeader();
  }
}

/**
 * `x-amz-tagging` (PutObject, CreateMultipartUpload, CopyObject with REPLACE): a URL-encoded query string,
 * `k1=v1&k2=v2`, `+` standing for a space. `raw` is the header as Node hands it over (latin1, one char per
 * byte): bytes that are UTF-8 are read as such. Duplicate names or a bad escape are InvalidArgument, as AWS
 * answers; the set must then pass `validateTagSet` (InvalidTag). An empty header is an empty set.
 */
export function parseTaggingHeader(raw: string): readonly Tag[] {
  const text = /^[\x00-\x7f]*$/.test(raw) ? raw : Buffer.from(raw, 'latin1').toString('utf8');
  const tags: Tag[] = [];
  const seen = new Set<string>();
  for (const pair of text.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const Key = decodeComponent(eq < 0 ? pair : pair.slice(0, eq));
    const Value = eq < 0 ? '' : decodeComponent(pair.slice(eq + 1));
    if (seen.has(Key)) throw invalidHeader();
    seen.add(Key);
    tags.push({ Key, Value });
  }
  return validateTagSet(tags, 'object');
}

/** The header form of a tag set (what `parseTaggingHeader` reads back). */
export function formatTaggingHeader(tags: readonly Tag[]): string {
  return tags.map((t) => `${encodeURIComponent(t.Key)}=${encodeURIComponent(t.Value)}`).join('&');
}
