import { isS3Error, S3Error } from '../errors';
import { validateTagSet, type Tag } from './tag-set';

function tags(n: number): Tag[] {
  return Array.from({ length: n }, (_, i) => ({ Key: `k${i}`, Value: `v${i}` }));
}

function rejection(f: () => unknown): S3Error {
  try {
    f();
  } catch (e) {
    if (e instanceof S3Error) return e;
    throw e;
  }
  throw new Error('expected an S3Error');
}

describe('validateTagSet', () => {
  it('accepts AWS limits exactly: 10 object tags, 50 bucket tags, 128-char keys, 256-char values, empty values', () => {
    expect(validateTagSet(tags(10), 'object')).toHaveLength(10);
    expect(validateTagSet(tags(50), 'bucket')).toHaveLength(50);
    expect(validateTagSet([{ Key: 'k'.repeat(128), Value: 'v'.repeat(256) }], 'object')).toHaveLength(1);
    expect(validateTagSet([{ Key: 'empty', Value: '' }], 'object')).toHaveLength(1);
    expect(validateTagSet([], 'object')).toEqual([]);
  });

  it('counts Unicode characters, not bytes or UTF-16 units', () => {
    // 128 astral characters are 256 UTF-16 units and 512 bytes, still within the limit.
    expect(validateTagSet([{ Key: '😀'.repeat(128), Value: 'é'.repeat(256) }], 'object')).toHaveLength(1);
    expect(isS3Error(rejection(() => validateTagSet([{ Key: '😀'.repeat(129), Value: '' }], 'object')), 'InvalidTag')).toBe(true);
  });

  it.each<[string, readonly Tag[], 'object' | 'bucket', string]>([
    ['11 object tags', tags(11), 'object', 'Object tags cannot be greater than 10'],
    ['51 bucket tags', tags(51), 'bucket', 'Bucket tag count cannot be greater than 50'],
    ['an empty key', [{ Key: '', Value: 'v' }], 'object', 'The TagKey you have provided is invalid'],
    ['a 129-char key', [{ Key: 'k'.repeat(129), Value: 'v' }], 'object', 'The TagKey you have provided is invalid'],
    ['a 257-char value', [{ Key: 'k', Value: 'v'.repeat(257) }], 'bucket', 'The TagValue you have provided is invalid'],
    ['a duplicate key', [{ Key: 'a', Value: '1' }, { Key: 'a', Value: '2' }], 'object', 'Cannot provide multiple Tags with the same key'],
    ['the aws: prefix', [{ Key: 'aws:cloudformation:stack', Value: 'x' }], 'object', 'Your TagKey cannot be prefixed with aws:'],
    ['the AWS: prefix in any case', [{ Key: 'AWS:x', Value: 'x' }], 'bucket', 'Your TagKey cannot be prefixed with aws:'],
  ])('refuses %s with InvalidTag 400', (_name, set, target, message) => {
    const e = rejection(() => validateTagSet(set, target));
    expect(e.code).toBe('InvalidTag');
    expect(e.status).toBe(400);
    expect(e.message).toBe(message);
  });

  it('keys differing only in case are different keys', () => {
    expect(validateTagSet([{ Key: 'a', Value: '1' }, { Key: 'A', Value: '2' }], 'object')).toHaveLength(2);
  });
});
