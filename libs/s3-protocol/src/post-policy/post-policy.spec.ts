import { isS3Error } from '../errors';
import { parsePostPolicy } from './post-policy';

const b64 = (doc: unknown) => Buffer.from(typeof doc === 'string' ? doc : JSON.stringify(doc), 'utf8').toString('base64');

function policyError(doc: unknown): string {
  try {
    parsePostPolicy(typeof doc === 'string' && doc.startsWith('raw:') ? doc.slice(4) : b64(doc));
  } catch (e) {
    if (isS3Error(e, 'InvalidPolicyDocument')) return e.message;
    throw e;
  }
  throw new Error('no error');
}

describe('parsePostPolicy', () => {
  it("parses AWS's example policy (all three condition forms)", () => {
    const p = parsePostPolicy(
      b64({
        expiration: '2007-12-01T12:00:00.000Z',
        conditions: [
          { acl: 'public-read' },
          { bucket: 'johnsmith' },
          ['starts-with', '$key', 'user/eric/'],
          ['eq', '$Content-Type', 'image/jpeg'],
          ['content-length-range', 1048576, 10485760],
        ],
      }),
    );
    expect(p.expiration.toISOString()).toBe('2007-12-01T12:00:00.000Z');
    expect(p.conditions).toEqual([
      { op: 'eq', field: 'acl', value: 'public-read', text: '["eq", "$acl", "public-read"]' },
      { op: 'eq', field: 'bucket', value: 'johnsmith', text: '["eq", "$bucket", "johnsmith"]' },
      { op: 'starts-with', field: 'key', value: 'user/eric/', text: '["starts-with", "$key", "user/eric/"]' },
      { op: 'eq', field: 'content-type', value: 'image/jpeg', text: '["eq", "$Content-Type", "image/jpeg"]' },
      { op: 'content-length-range', min: 1048576, max: 10485760, text: '["content-length-range", 1048576, 10485760]' },
    ]);
  });

  it('accepts an expiration without milliseconds (the AWS SDKs write it so) and content-length-range bounds as digit strings', () => {
    const p = parsePostPolicy(b64({ expiration: '2030-01-02T03:04:05Z', conditions: [['content-length-range', '0', '10']] }));
    expect(p.expiration.toISOString()).toBe('2030-01-02T03:04:05.000Z');
    expect(p.conditions[0]).toMatchObject({ min: 0, max: 10 });
  });

  it('reads an empty exact-match object as no condition', () => {
    expect(parsePostPolicy(b64({ expiration: '2030-01-01T00:00:00Z', conditions: [{}] })).conditions).toEqual([]);
  });

  it.each<[string, unknown, string]>([
    ['not base64', 'raw:***', 'Invalid Policy: Invalid Base64 Encoding.'],
    ['not JSON', 'not json', 'Invalid Policy: Invalid JSON.'],
    ['a JSON array', [], 'Invalid Policy: Invalid JSON.'],
    ['no expiration', { conditions: [] }, 'Invalid Policy: Policy missing expiration.'],
    ['no conditions', { expiration: '2030-01-01T00:00:00Z' }, 'Invalid Policy: Policy missing conditions.'],
    ['conditions not a list', { expiration: '2030-01-01T00:00:00Z', conditions: {} }, "Invalid Policy: Invalid 'conditions' value: must be a List."],
    ['an unknown top-level field', { expiration: '2030-01-01T00:00:00Z', conditions: [], extra: 1 }, "Invalid Policy: Unexpected field: 'extra'."],
    ['a date-only expiration', { expiration: '2030-01-01', conditions: [] }, "Invalid Policy: Invalid 'expiration' value: '2030-01-01'."],
    ['a numeric expiration', { expiration: 1, conditions: [] }, "Invalid Policy: Invalid 'expiration' value: '1'."],
    ['31 February', { expiration: '2030-02-31T00:00:00Z', conditions: [] }, "Invalid Policy: Invalid 'expiration' value: '2030-02-31T00:00:00Z'."],
  ])('refuses %s', (_what, doc, message) => {
    expect(policyError(doc)).toBe(message);
  });

  it.each<[string, unknown]>([
    ['an unknown operation', ['in', '$key', 'a']],
    ['eq with two arguments', ['eq', '$key']],
    ['eq on a name without $', ['eq', 'key', 'a']],
    ['eq with a number', ['eq', '$key', 1]],
    ['starts-with with four elements', ['starts-with', '$key', 'a', 'b']],
    ['a float range', ['content-length-range', 0, 512.5]],
    ['a negative range', ['content-length-range', -1, 5]],
    ['an inverted range', ['content-length-range', 10, 5]],
    ['a range with one bound', ['content-length-range', 10]],
    ['an exact match with a number', { 'x-amz-meta-n': 5 }],
    ['a bare string', 'key'],
  ])('refuses a condition with %s', (_what, condition) => {
    expect(policyError({ expiration: '2030-01-01T00:00:00Z', conditions: [condition] })).toMatch(/^Invalid Policy: /);
  });
});
