import { S3Error } from '../errors';
import { formatTaggingHeader, parseTaggingHeader } from './tagging-header';

function codeOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof S3Error) return e.code;
    throw e;
  }
  return 'none';
}

describe('parseTaggingHeader (x-amz-tagging)', () => {
  it('reads a URL-encoded query string in order', () => {
    expect(parseTaggingHeader('project=massive&team=storage%20core&empty=&bare')).toEqual([
      { Key: 'project', Value: 'massive' },
      { Key: 'team', Value: 'storage core' },
      { Key: 'empty', Value: '' },
      { Key: 'bare', Value: '' },
    ]);
  });

  it('decodes + as a space and %XX escapes as UTF-8', () => {
    expect(parseTaggingHeader('a+b=c%2Bd&caf%C3%A9=%E2%9C%93')).toEqual([
      { Key: 'a b', Value: 'c+d' },
      { Key: 'café', Value: '✓' },
    ]);
  });

  it('reads raw UTF-8 bytes as Node hands them over (latin1)', () => {
    expect(parseTaggingHeader(Buffer.from('k=café', 'utf8').toString('latin1'))).toEqual([{ Key: 'k', Value: 'café' }]);
  });

  it('an empty header is an empty tag set', () => {
    expect(parseTaggingHeader('')).toEqual([]);
  });

  it('duplicates and bad escapes are InvalidArgument; limits are InvalidTag', () => {
    expect(codeOf(() => parseTaggingHeader('a=1&a=2'))).toBe('InvalidArgument');
    expect(codeOf(() => parseTaggingHeader('a=%E2%9C'))).toBe('InvalidArgument');
    expect(codeOf(() => parseTaggingHeader(Array.from({ length: 11 }, (_, i) => `k${i}=v`).join('&')))).toBe('InvalidTag');
    expect(codeOf(() => parseTaggingHeader(`${'k'.repeat(129)}=v`))).toBe('InvalidTag');
    expect(codeOf(() => parseTaggingHeader('aws:x=v'))).toBe('InvalidTag');
    expect(codeOf(() => parseTaggingHeader('=v'))).toBe('InvalidTag');
  });

  it('formatTaggingHeader round-trips', () => {
    const set = [
      { Key: 'a b&c', Value: 'x=y+z' },
      { Key: '✓', Value: '' },
    ];
    expect(parseTaggingHeader(formatTaggingHeader(set))).toEqual(set);
  });
});
