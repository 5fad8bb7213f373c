import { S3Error } from '../errors';

/** One S3 tag. Field names are AWS's element names. */
export interface Tag {
  readonly Key: string;
  readonly Value: string;
}

/** AWS's limits: 10 tags on an object, 50 on a bucket; keys 1–128 and values 0–256 Unicode characters. */
export const MAX_OBJECT_TAGS = 10;
export const MAX_BUCKET_TAGS = 50;
export const MAX_TAG_KEY_CHARS = 128;
export const MAX_TAG_VALUE_CHARS = 256;

export type TagTarget = 'object' | 'bucket';

/** Length in Unicode characters (code points), as AWS counts tag keys and values. */
function chars(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/**
 * Checks a tag set against AWS's rules and answers it unchanged: at most 10 (object) / 50 (bucket) tags,
 * keys of 1–128 characters not starting with the reserved `aws:` prefix, values of at most 256 characters,
 * no key twice. Every violation is InvalidTag (400) with AWS's message.
 */
export function validateTagSet(tags: readonly Tag[], target: TagTarget): readonly Tag[] {
  const max = target === 'object' ? MAX_OBJECT_TAGS : MAX_BUCKET_TAGS;
  if (tags.length > max) {
    throw new S3Error('InvalidTag', target === 'object' ? `Object tags cannot be greater than ${max}` : `Bucket tag count cannot be greater than ${max}`);
  }
  const seen = new Set<string>();
  for (const t of tags) {
    const keyChars = chars(t.Key);
    if (keyChars < 1 || keyChars > MAX_TAG_KEY_CHARS) throw new S3Error('InvalidTag', 'The TagKey you have provided is invalid', { TagKey: t.Key });
    if (chars(t.Value) > MAX_TAG_VALUE_CHARS) throw new S3Error('InvalidTag', 'The TagValue you have provided is invalid', { TagKey: t.Key, TagValue: t.Value });
    if (t.Key.toLowerCase().startsWith('aws:')) throw new S3Error('InvalidTag', 'Your TagKey cannot be prefixed with aws:', { TagKey: t.Key });
    if (seen.has(t.Key)) throw new S3Error('InvalidTag', 'Cannot provide multiple Tags with the same key', { TagKey: t.Key });
    seen.add(t.Key);
  }
  return tags;
}
