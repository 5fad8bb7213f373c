import { isPublicPolicy } from './policy-status';
import { parseBucketPolicy } from './parse-bucket-policy';

const OWNER = 'a'.repeat(64);
const isPublic = (...statements: object[]): boolean => isPublicPolicy(parseBucketPolicy(JSON.stringify({ Version: '2012-10-17', Statement: statements }), 'b'));
const s = (x: object = {}): object => ({ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*', ...x });

describe('isPublicPolicy (AWS: public unless limited to fixed values)', () => {
  it.each<[string, object[], boolean]>([
    ['Principal * without conditions', [s()], true],
    ['{"AWS": "*"}', [s({ Principal: { AWS: '*' } })], true],
    ['a fixed principal', [s({ Principal: { CanonicalUser: OWNER } })], false],
    ['Deny to everyone is not public', [s({ Effect: 'Deny' })], false],
    ['limited to a CIDR', [s({ Condition: { IpAddress: { 'aws:SourceIp': ['192.0.2.0/24', '10.0.0.0/8'] } } })], false],
    ['a CIDR that is most of the Internet', [s({ Condition: { IpAddress: { 'aws:SourceIp': '0.0.0.0/1' } } })], true],
    ['NotIpAddress does not limit', [s({ Condition: { NotIpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } })], true],
    ['a fixed aws:SourceVpce', [s({ Condition: { StringEquals: { 'aws:SourceVpce': 'vpce-1a2b3c4d' } } })], false],
    ['a wildcard aws:SourceArn', [s({ Condition: { ArnLike: { 'aws:SourceArn': 'arn:aws:cloudfront::*' } } })], true],
    ['aws:SourceAccount IfExists does not limit', [s({ Condition: { StringEqualsIfExists: { 'aws:SourceAccount': '123456789012' } } })], true],
    ['a Referer condition does not limit', [s({ Condition: { StringLike: { 'aws:Referer': 'https://example.com/*' } } })], true],
    ['SecureTransport does not limit', [s({ Condition: { Bool: { 'aws:SecureTransport': 'true' } } })], true],
    ['one public statement among private ones', [s({ Principal: { AWS: OWNER } }), s({ Action: 's3:ListBucket', Resource: 'arn:aws:s3:::b' })], true],
  ])('%s', (_name, statements, expected) => {
    expect(isPublic(...statements)).toBe(expected);
  });
});
