import { compileBucketPolicy } from './evaluate-bucket-policy';
import { parseBucketPolicy } from './parse-bucket-policy';
import type { PolicyDecision, PolicyPrincipal } from './policy-types';

const OWNER = 'a'.repeat(64);
const OTHER = 'b'.repeat(64);
const anon: PolicyPrincipal = { anonymous: true };
const owner: PolicyPrincipal = { anonymous: false, ids: [OWNER] };
const other: PolicyPrincipal = { anonymous: false, ids: [OTHER] };

type Ctx = Record<string, string | string[]>;
interface Req {
  who: PolicyPrincipal;
  action: string;
  key?: string;
  ctx?: Ctx;
}

function decide(statements: object[], req: Req, version = '2012-10-17'): PolicyDecision {
  const policy = compileBucketPolicy(parseBucketPolicy(JSON.stringify({ Version: version, Statement: statements }), 'b'));
  const context = new Map(Object.entries({ 'aws:sourceip': '127.0.0.1', ...req.ctx }).map(([k, v]) => [k, Array.isArray(v) ? v : [v]]));
  return policy.evaluate({
    principal: req.who,
    action: req.action,
    resource: req.key === undefined ? 'arn:aws:s3:::b' : `arn:aws:s3:::b/${req.key}`,
    context,
  });
}

const allow = (s: object = {}): object => ({ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*', ...s });
const deny = (s: object = {}): object => ({ ...allow(s), Effect: 'Deny', ...s });
const get = (key: string, who: PolicyPrincipal = anon, ctx?: Ctx): Req => ({ who, action: 's3:GetObject', key, ...(ctx && { ctx }) });
const list = (ctx: Ctx, who: PolicyPrincipal = anon): Req => ({ who, action: 's3:ListBucket', ctx });
const listStmt = (Condition: object, Effect = 'Allow'): object => ({ Effect, Principal: '*', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::b', Condition });

describe('compileBucketPolicy(...).evaluate: policies × requests', () => {
  it.each<[string, object[], Req, PolicyDecision]>([
    // Principal, action, resource
    ['public read: anonymous GET', [allow()], get('x'), 'allow'],
    ['public read: anonymous PUT is no decision', [allow()], { who: anon, action: 's3:PutObject', key: 'x' }, 'none'],
    ['public read: ListBucket not granted', [allow()], list({}), 'none'],
    ['action wildcard s3:Get*', [allow({ Action: 's3:Get*' })], { who: anon, action: 's3:GetObjectTagging', key: 'x' }, 'allow'],
    ['action names are case-insensitive', [allow({ Action: 'S3:getobject' })], get('x'), 'allow'],
    ['NotAction', [allow({ Action: undefined, NotAction: 's3:Delete*' })], { who: anon, action: 's3:DeleteObject', key: 'x' }, 'none'],
    ['NotAction lets the others through', [allow({ Action: undefined, NotAction: 's3:Delete*' })], get('x'), 'allow'],
    ['resource prefix', [allow({ Resource: 'arn:aws:s3:::b/public/*' })], get('private/x'), 'none'],
    ['resource prefix hit', [allow({ Resource: 'arn:aws:s3:::b/public/*' })], get('public/a/b'), 'allow'],
    ['resource ? wildcard', [allow({ Resource: 'arn:aws:s3:::b/v?.txt' })], get('v1.txt'), 'allow'],
    ['resource is case-sensitive', [allow({ Resource: 'arn:aws:s3:::b/Public/*' })], get('public/x'), 'none'],
    ['NotResource', [deny({ Resource: undefined, NotResource: 'arn:aws:s3:::b/public/*' })], get('secret', owner), 'deny'],
    ['a fixed principal is not anonymous', [allow({ Principal: { CanonicalUser: OTHER } })], get('x'), 'none'],
    ['a fixed principal matches its key', [allow({ Principal: { AWS: OTHER } })], get('x', other), 'allow'],
    ['a fixed principal is not another key', [allow({ Principal: { AWS: OTHER } })], get('x', owner), 'none'],
    // Deny wins
    ['explicit deny beats allow', [allow(), deny({ Resource: 'arn:aws:s3:::b/secret/*' })], get('secret/x'), 'deny'],
    ['deny on a prefix binds the owner too', [deny({ Resource: 'arn:aws:s3:::b/secret/*' })], get('secret/x', owner), 'deny'],
    ['deny elsewhere leaves the allow', [allow(), deny({ Resource: 'arn:aws:s3:::b/secret/*' })], get('open/x'), 'allow'],
    // aws:SourceIp
    ['SourceIp in 127.0.0.0/8', [allow({ Condition: { IpAddress: { 'aws:SourceIp': '127.0.0.0/8' } } })], get('x'), 'allow'],
    ['SourceIp not in 10.0.0.0/8', [allow({ Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } })], get('x'), 'none'],
    ['SourceIp any of several', [allow({ Condition: { IpAddress: { 'aws:SourceIp': ['10.0.0.0/8', '127.0.0.1/32'] } } })], get('x'), 'allow'],
    ['NotIpAddress deny', [deny({ Condition: { NotIpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } })], get('x', owner), 'deny'],
    ['IPv6 CIDR', [allow({ Condition: { IpAddress: { 'aws:SourceIp': '2001:db8::/32' } } })], get('x', anon, { 'aws:sourceip': '2001:db8:0:1::5' }), 'allow'],
    ['IPv6 CIDR miss', [allow({ Condition: { IpAddress: { 'aws:SourceIp': '2001:db8::/32' } } })], get('x', anon, { 'aws:sourceip': '2001:db9::5' }), 'none'],
    // aws:SecureTransport, UserAgent, Referer
    ['deny insecure transport', [allow(), deny({ Condition: { Bool: { 'aws:SecureTransport': 'false' } } })], get('x', anon, { 'aws:securetransport': 'false' }), 'deny'],
    ['secure transport passes', [allow(), deny({ Condition: { Bool: { 'aws:SecureTransport': false } } })], get('x', anon, { 'aws:securetransport': 'true' }), 'allow'],
    ['Referer like', [allow({ Condition: { StringLike: { 'aws:Referer': ['https://www.example.com/*'] } } })], get('x', anon, { 'aws:referer': 'https://www.example.com/page' }), 'allow'],
    ['Referer absent: positive operator false', [allow({ Condition: { StringLike: { 'aws:Referer': '*' } } })], get('x'), 'none'],
    ['absent key: negated operator true', [deny({ Condition: { StringNotLike: { 'aws:UserAgent': 'good-client/*' } } })], get('x', owner), 'deny'],
    ['UserAgent matches the negation', [deny({ Condition: { StringNotLike: { 'aws:UserAgent': 'good-client/*' } } })], get('x', owner, { 'aws:useragent': 'good-client/1.0' }), 'none'],
    ['IfExists on an absent key', [allow({ Condition: { StringEqualsIfExists: { 'aws:Referer': 'x' } } })], get('x'), 'allow'],
    ['Null true: absent', [deny({ Condition: { Null: { 'aws:Referer': 'true' } } })], get('x', owner), 'deny'],
    ['Null false: present', [deny({ Condition: { Null: { 'aws:Referer': 'false' } } })], get('x', owner), 'none'],
    ['StringEqualsIgnoreCase', [allow({ Condition: { StringEqualsIgnoreCase: { 'aws:UserAgent': 'CURL' } } })], get('x', anon, { 'aws:useragent': 'curl' }), 'allow'],
    ['StringEquals is case-sensitive', [allow({ Condition: { StringEquals: { 'aws:UserAgent': 'CURL' } } })], get('x', anon, { 'aws:useragent': 'curl' }), 'none'],
    // s3:prefix, s3:delimiter, s3:max-keys on ListBucket
    ['s3:prefix equals', [listStmt({ StringEquals: { 's3:prefix': ['home/', ''] } })], list({ 's3:prefix': 'home/' }), 'allow'],
    ['s3:prefix other', [listStmt({ StringEquals: { 's3:prefix': 'home/' } })], list({ 's3:prefix': 'etc/' }), 'none'],
    ['s3:prefix like', [listStmt({ StringLike: { 's3:prefix': 'home/*' } })], list({ 's3:prefix': 'home/alice/' }), 'allow'],
    ['s3:delimiter', [listStmt({ StringEquals: { 's3:delimiter': '/' } })], list({ 's3:delimiter': '/' }), 'allow'],
    ['s3:max-keys at most 10', [listStmt({ NumericLessThanEquals: { 's3:max-keys': '10' } })], list({ 's3:max-keys': '10' }), 'allow'],
    ['s3:max-keys over', [listStmt({ NumericLessThanEquals: { 's3:max-keys': 10 } })], list({ 's3:max-keys': '1000' }), 'none'],
    ['several keys are ANDed', [listStmt({ StringEquals: { 's3:prefix': 'a/', 's3:delimiter': '/' } })], list({ 's3:prefix': 'a/' }), 'none'],
    ['several operators are ANDed', [listStmt({ StringEquals: { 's3:prefix': 'a/' }, IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } })], list({ 's3:prefix': 'a/' }), 'none'],
    // aws:CurrentTime / EpochTime
    ['before a date', [allow({ Condition: { DateLessThan: { 'aws:CurrentTime': '2030-01-01T00:00:00Z' } } })], get('x', anon, { 'aws:currenttime': '2026-12-03T09:30:00Z' }), 'allow'],
    ['after a date', [allow({ Condition: { DateGreaterThan: { 'aws:CurrentTime': '2030-01-01' } } })], get('x', anon, { 'aws:currenttime': '2026-12-03T09:30:00Z' }), 'none'],
    ['epoch seconds', [allow({ Condition: { DateGreaterThan: { 'aws:EpochTime': '1000' } } })], get('x', anon, { 'aws:epochtime': '1796290200' }), 'allow'],
    // Object tags, ACL header, version id
    ['ExistingObjectTag', [allow({ Condition: { StringEquals: { 's3:ExistingObjectTag/Class': 'public' } } })], get('x', anon, { 's3:existingobjecttag/Class': 'public' }), 'allow'],
    ['ExistingObjectTag key is case-sensitive', [allow({ Condition: { StringEquals: { 's3:existingobjecttag/class': 'public' } } })], get('x', anon, { 's3:existingobjecttag/Class': 'public' }), 'none'],
    ['x-amz-acl required', [{ Effect: 'Allow', Principal: '*', Action: 's3:PutObject', Resource: 'arn:aws:s3:::b/*', Condition: { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control' } } }], { who: anon, action: 's3:PutObject', key: 'k', ctx: { 's3:x-amz-acl': 'bucket-owner-full-control' } }, 'allow'],
    ['VersionId', [allow({ Action: 's3:GetObjectVersion', Condition: { StringEquals: { 's3:VersionId': 'v1' } } })], { who: anon, action: 's3:GetObjectVersion', key: 'x', ctx: { 's3:versionid': 'v1' } }, 'allow'],
    // Multi-valued keys
    ['ForAnyValue', [allow({ Condition: { 'ForAnyValue:StringEquals': { 's3:RequestObjectTagKeys': ['a', 'b'] } } })], get('x', anon, { 's3:requestobjecttagkeys': ['z', 'b'] }), 'allow'],
    ['ForAllValues: one outside', [allow({ Condition: { 'ForAllValues:StringEquals': { 's3:RequestObjectTagKeys': ['a', 'b'] } } })], get('x', anon, { 's3:requestobjecttagkeys': ['z', 'b'] }), 'none'],
    ['ForAllValues: all inside', [allow({ Condition: { 'ForAllValues:StringEquals': { 's3:RequestObjectTagKeys': ['a', 'b'] } } })], get('x', anon, { 's3:requestobjecttagkeys': ['a', 'b'] }), 'allow'],
    ['ForAllValues: absent key is true', [allow({ Condition: { 'ForAllValues:StringEquals': { 's3:RequestObjectTagKeys': ['a'] } } })], get('x'), 'allow'],
    ['ForAnyValue: absent key is false', [allow({ Condition: { 'ForAnyValue:StringEquals': { 's3:RequestObjectTagKeys': ['a'] } } })], get('x'), 'none'],
    // Policy variables (2012-10-17 only)
    ['${aws:username} in a resource', [allow({ Principal: { AWS: OTHER }, Resource: 'arn:aws:s3:::b/home/${aws:username}/*' })], get('home/app1/f', other, { 'aws:username': 'app1' }), 'allow'],
    ['${aws:username}: another home', [allow({ Principal: { AWS: OTHER }, Resource: 'arn:aws:s3:::b/home/${aws:username}/*' })], get('home/app2/f', other, { 'aws:username': 'app1' }), 'none'],
    ['${aws:username} absent: no match', [allow({ Resource: 'arn:aws:s3:::b/home/${aws:username}/*' })], get('home/x/f'), 'none'],
    ['${*} is a literal star', [allow({ Resource: 'arn:aws:s3:::b/${*}' })], get('*'), 'allow'],
    ['${*} does not wildcard', [allow({ Resource: 'arn:aws:s3:::b/${*}' })], get('abc'), 'none'],
    ['variable in a condition value', [listStmt({ StringLike: { 's3:prefix': 'home/${aws:username}/*' } })], list({ 's3:prefix': 'home/app1/x', 'aws:username': 'app1' }), 'allow'],
  ])('%s', (_name, statements, req, expected) => {
    expect(decide(statements, req)).toBe(expected);
  });

  it('Version 2008-10-17 reads ${...} literally', () => {
    const s = [allow({ Resource: 'arn:aws:s3:::b/home/${aws:username}/*' })];
    expect(decide(s, get('home/app1/f', anon, { 'aws:username': 'app1' }), '2008-10-17')).toBe('none');
    expect(decide(s, get('home/${aws:username}/f'), '2008-10-17')).toBe('allow');
  });

  it('usesExistingObjectTags tells whether tags must be read first', () => {
    const parse = (s: object): boolean => compileBucketPolicy(parseBucketPolicy(JSON.stringify({ Statement: [s] }), 'b')).usesExistingObjectTags;
    expect(parse(allow({ Condition: { StringEquals: { 's3:ExistingObjectTag/a': 'b' } } }))).toBe(true);
    expect(parse(allow())).toBe(false);
  });
});
