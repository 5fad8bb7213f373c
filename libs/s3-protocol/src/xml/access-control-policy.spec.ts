import { ALL_USERS } from '../acl/acl';
import { buildAccessControlPolicy, parseAccessControlPolicy } from './access-control-policy';

const OWNER = { ID: 'abc123', DisplayName: 'owner' };

describe('AccessControlPolicy', () => {
  it("builds AWS's document, with xsi:type on each Grantee", () => {
    const xml = buildAccessControlPolicy({
      Owner: OWNER,
      Grants: [
        { grantee: { type: 'CanonicalUser', id: 'abc123' }, permission: 'FULL_CONTROL' },
        { grantee: { type: 'Group', uri: ALL_USERS }, permission: 'READ' },
      ],
    });
    expect(xml).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n<AccessControlPolicy xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
        '<Owner><ID>abc123</ID><DisplayName>owner</DisplayName></Owner><AccessControlList>' +
        '<Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser"><ID>abc123</ID><DisplayName>owner</DisplayName></Grantee><Permission>FULL_CONTROL</Permission></Grant>' +
        `<Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="Group"><URI>${ALL_USERS}</URI></Grantee><Permission>READ</Permission></Grant>` +
        '</AccessControlList></AccessControlPolicy>',
    );
  });

  it('round-trips through the parser (grantee type from its child element)', () => {
    const grants = [
      { grantee: { type: 'CanonicalUser' as const, id: 'abc123' }, permission: 'FULL_CONTROL' as const },
      { grantee: { type: 'Group' as const, uri: ALL_USERS }, permission: 'READ' as const },
      { grantee: { type: 'AmazonCustomerByEmail' as const, email: 'a@example.com' }, permission: 'WRITE_ACP' as const },
    ];
    expect(parseAccessControlPolicy(buildAccessControlPolicy({ Owner: OWNER, Grants: grants }))).toEqual({ Owner: OWNER, Grants: grants });
  });

  it('accepts an empty AccessControlList', () => {
    expect(parseAccessControlPolicy('<AccessControlPolicy><Owner><ID>x</ID></Owner><AccessControlList/></AccessControlPolicy>')).toEqual({ Owner: { ID: 'x' }, Grants: [] });
  });

  it.each([
    'not xml',
    '<AccessControlPolicy/>',
    '<AccessControlPolicy><Owner><ID>x</ID></Owner></AccessControlPolicy>',
    '<AccessControlPolicy><AccessControlList/></AccessControlPolicy>',
    '<AccessControlPolicy><Owner><ID>x</ID></Owner><AccessControlList><Grant><Grantee><ID>x</ID></Grantee><Permission>ALL</Permission></Grant></AccessControlList></AccessControlPolicy>',
    '<AccessControlPolicy><Owner><ID>x</ID></Owner><AccessControlList><Grant><Grantee><ID>x</ID><URI>u</URI></Grantee><Permission>READ</Permission></Grant></AccessControlList></AccessControlPolicy>',
    '<AccessControlPolicy><Owner><ID>x</ID></Owner><AccessControlList><Grant><Permission>READ</Permission></Grant></AccessControlList></AccessControlPolicy>',
    '<Other><Owner><ID>x</ID></Owner><AccessControlList/></Other>',
  ])('refuses %j with MalformedACLError', (xml) => {
    expect(() => parseAccessControlPolicy(xml)).toThrow(expect.objectContaining({ code: 'MalformedACLError' }));
  });
});
