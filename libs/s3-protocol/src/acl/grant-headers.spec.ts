import { ALL_USERS } from './acl';
import { parseGrantHeader, parseGrantHeaders } from './grant-headers';

describe('x-amz-grant-* headers', () => {
  it('parses a list of type="value" pairs', () => {
    expect(parseGrantHeader('x-amz-grant-read', `uri="${ALL_USERS}", id="abc" ,emailAddress="a@b.c"`, 'READ')).toEqual([
      { grantee: { type: 'Group', uri: ALL_USERS }, permission: 'READ' },
      { grantee: { type: 'CanonicalUser', id: 'abc' }, permission: 'READ' },
      { grantee: { type: 'AmazonCustomerByEmail', email: 'a@b.c' }, permission: 'READ' },
    ]);
    expect(parseGrantHeader('x-amz-grant-write', 'id=abc', 'WRITE')).toEqual([{ grantee: { type: 'CanonicalUser', id: 'abc' }, permission: 'WRITE' }]);
  });

  it.each(['', 'abc', 'name="x"', 'id="a" uri="b"', 'id="a",,'])('refuses %j with InvalidArgument', (v) => {
    expect(() => parseGrantHeader('x-amz-grant-read', v, 'READ')).toThrow(expect.objectContaining({ code: 'InvalidArgument' }));
  });

  it('collects every grant header with its permission; none present is undefined', () => {
    const h: Record<string, string> = { 'x-amz-grant-full-control': 'id="o"', 'x-amz-grant-read-acp': `uri="${ALL_USERS}"` };
    expect(parseGrantHeaders((n) => h[n])).toEqual([
      { grantee: { type: 'CanonicalUser', id: 'o' }, permission: 'FULL_CONTROL' },
      { grantee: { type: 'Group', uri: ALL_USERS }, permission: 'READ_ACP' },
    ]);
    expect(parseGrantHeaders(() => undefined)).toBeUndefined();
  });
});
