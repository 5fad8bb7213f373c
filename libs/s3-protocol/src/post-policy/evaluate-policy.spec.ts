import { S3Error } from '../errors';
import { evaluatePostPolicy } from './evaluate-policy';
import { PostFields } from './post-fields';
import { parsePostPolicy } from './post-policy';

const NOW = new Date('2030-01-01T00:00:00Z');
const policy = (conditions: unknown[], expiration = '2030-01-01T01:00:00Z') =>
  parsePostPolicy(Buffer.from(JSON.stringify({ expiration, conditions })).toString('base64'));

/** The fields every signed form has and the policy must then mention. */
const AUTH: [string, string][] = [
  ['X-Amz-Algorithm', 'AWS4-HMAC-SHA256'],
  ['X-Amz-Credential', 'AKID/20300101/us-east-1/s3/aws4_request'],
  ['X-Amz-Date', '20300101T000000Z'],
  ['Policy', 'eyJ9'],
  ['X-Amz-Signature', 'ab'],
];
const AUTH_CONDITIONS = [{ bucket: 'b' }, ...AUTH.slice(0, 3).map(([k, v]) => ({ [k]: v }))];

function run(conditions: unknown[], fields: [string, string][], bucket = 'b', now = NOW) {
  return evaluatePostPolicy(policy([...AUTH_CONDITIONS, ...conditions]), { bucket, fields: new PostFields([...AUTH, ...fields]), now });
}

function failure(conditions: unknown[], fields: [string, string][], bucket = 'b', now = NOW): string {
  try {
    run(conditions, fields, bucket, now);
  } catch (e) {
    expect(e).toBeInstanceOf(S3Error);
    expect((e as S3Error).code).toBe('AccessDenied');
    return (e as S3Error).message;
  }
  throw new Error('policy held');
}

describe('evaluatePostPolicy', () => {
  it('passes a form that meets every condition, returning no range when none is set', () => {
    expect(run([{ bucket: 'b' }, ['starts-with', '$key', 'user/'], ['eq', '$acl', 'private']], [['key', 'user/a.txt'], ['acl', 'private']])).toBeUndefined();
  });

  it('matches field names case-insensitively and values case-sensitively', () => {
    expect(() => run([['eq', '$CONTENT-TYPE', 'image/png'], { key: 'k' }], [['Content-Type', 'image/png'], ['key', 'k']])).not.toThrow();
    expect(failure([['eq', '$content-type', 'image/png'], { key: 'k' }], [['Content-Type', 'IMAGE/PNG'], ['key', 'k']])).toBe(
      'Invalid according to Policy: Policy Condition failed: ["eq", "$content-type", "image/png"]',
    );
  });

  it('fails an exact match or eq that does not hold, quoting the condition', () => {
    expect(failure([{ key: 'a' }], [['key', 'b']])).toBe('Invalid according to Policy: Policy Condition failed: ["eq", "$key", "a"]');
    expect(failure([{ key: 'k' }, ['eq', '$x-amz-meta-tag', 'v1']], [['key', 'k'], ['x-amz-meta-tag', 'v2']])).toBe(
      'Invalid according to Policy: Policy Condition failed: ["eq", "$x-amz-meta-tag", "v1"]',
    );
  });

  it('fails a starts-with that does not hold; an empty prefix matches any value', () => {
    expect(failure([['starts-with', '$key', 'user/']], [['key', 'other/x']])).toBe('Invalid according to Policy: Policy Condition failed: ["starts-with", "$key", "user/"]');
    expect(() => run([['starts-with', '$key', '']], [['key', 'anything']])).not.toThrow();
  });

  it('fails a condition on a field the form does not have, even an empty starts-with', () => {
    expect(failure([{ key: 'k' }, ['starts-with', '$Content-Type', '']], [['key', 'k']])).toBe(
      'Invalid according to Policy: Policy Condition failed: ["starts-with", "$Content-Type", ""]',
    );
  });

  it('checks the bucket condition against the bucket posted to', () => {
    const p = policy([{ bucket: 'photos' }, ...AUTH_CONDITIONS.slice(1), { key: 'k' }]);
    const fields = new PostFields([...AUTH, ['key', 'k']]);
    expect(() => evaluatePostPolicy(p, { bucket: 'photos', fields, now: NOW })).not.toThrow();
    expect(() => evaluatePostPolicy(p, { bucket: 'other', fields, now: NOW })).toThrow(
      'Invalid according to Policy: Policy Condition failed: ["eq", "$bucket", "photos"]',
    );
    // A bucket form field (the SDK sends one) is checked the same way: against the bucket posted to.
    expect(() => evaluatePostPolicy(p, { bucket: 'photos', fields: new PostFields([...AUTH, ['key', 'k'], ['bucket', 'photos']]), now: NOW })).not.toThrow();
  });

  it('requires a condition on the bucket even when the form has no bucket field', () => {
    const p = policy([...AUTH_CONDITIONS.slice(1), { key: 'k' }]);
    expect(() => evaluatePostPolicy(p, { bucket: 'b', fields: new PostFields([...AUTH, ['key', 'k']]), now: NOW })).toThrow(
      'Invalid according to Policy: Extra input fields: bucket',
    );
  });

  it('requires every Content-Type of a comma-separated list to start with the prefix', () => {
    expect(() => run([{ key: 'k' }, ['starts-with', '$Content-Type', 'image/']], [['key', 'k'], ['Content-Type', 'image/png, image/jpeg']])).not.toThrow();
    expect(failure([{ key: 'k' }, ['starts-with', '$Content-Type', 'image/']], [['key', 'k'], ['Content-Type', 'image/png,text/html']])).toMatch(/Policy Condition failed/);
  });

  it('refuses a field no condition mentions, except the signature, the policy, the file and x-ignore-*', () => {
    expect(failure([{ key: 'k' }], [['key', 'k'], ['x-amz-meta-color', 'red']])).toBe('Invalid according to Policy: Extra input fields: x-amz-meta-color');
    expect(() => run([{ key: 'k' }], [['key', 'k'], ['x-ignore-tracking', '1']])).not.toThrow();
    // The auth fields themselves are fields: a policy that leaves out x-amz-date fails.
    expect(() =>
      evaluatePostPolicy(policy([...AUTH_CONDITIONS.slice(0, 3), { key: 'k' }]), { bucket: 'b', fields: new PostFields([...AUTH, ['key', 'k']]), now: NOW }),
    ).toThrow('Invalid according to Policy: Extra input fields: x-amz-date');
  });

  it('refuses an expired policy before anything else', () => {
    const p = policy([{ key: 'other' }], '2029-12-31T23:59:59Z');
    expect(() => evaluatePostPolicy(p, { bucket: 'b', fields: new PostFields([['key', 'k']]), now: NOW })).toThrow('Invalid according to Policy: Policy expired.');
    // The expiration instant itself is still valid.
    const edge = policy([{ bucket: 'b' }, { key: 'k' }], '2030-01-01T00:00:00Z');
    expect(() => evaluatePostPolicy(edge, { bucket: 'b', fields: new PostFields([['key', 'k']]), now: NOW })).not.toThrow();
  });

  it('returns the content-length-range, intersecting several', () => {
    expect(run([{ key: 'k' }, ['content-length-range', 10, 100]], [['key', 'k']])).toEqual({ min: 10, max: 100 });
    expect(run([{ key: 'k' }, ['content-length-range', 10, 100], ['content-length-range', 20, 200]], [['key', 'k']])).toEqual({ min: 20, max: 100 });
  });
});

describe('PostFields', () => {
  it('looks names up case-insensitively, keeps form order, and refuses a field given twice', () => {
    const f = new PostFields([['Key', 'a'], ['X-Amz-Meta-A', '1']]);
    expect(f.get('key')).toBe('a');
    expect(f.names()).toEqual(['key', 'x-amz-meta-a']);
    expect(f.with('key', 'b').get('KEY')).toBe('b');
    expect(() => f.add('KEY', 'c')).toThrow(expect.objectContaining({ code: 'InvalidArgument' }));
  });
});
