import { parseRawQuery } from './canonical-query';
import { parsePresignedQuery } from './parse-presigned';

const SIG = 'aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404';
const DOC_QUERY =
  'X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request' +
  `&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature=${SIG}`;

const parse = (raw: string) => parsePresignedQuery(parseRawQuery(raw));
const replace = (name: string, value: string) => DOC_QUERY.replace(new RegExp(`${name}=[^&]*`), `${name}=${value}`);

describe('parsePresignedQuery', () => {
  it('parses the AWS documentation example', () => {
    expect(parse(DOC_QUERY)).toEqual({
      accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
      scope: { date: '20130524', region: 'us-east-1', service: 's3' },
      signedHeaders: ['host'],
      signature: SIG,
      date: new Date('2013-05-24T00:00:00Z'),
      datetime: '20130524T000000Z',
      expiresSeconds: 86400,
    });
  });

  it('ignores X-Amz-Security-Token', () => {
    expect(parse(`${DOC_QUERY}&X-Amz-Security-Token=abc`).accessKeyId).toBe('AKIAIOSFODNN7EXAMPLE');
  });

  it.each([
    ['a missing parameter', DOC_QUERY.replace(/&X-Amz-Expires=86400/, ''), /requires/],
    ['another algorithm', replace('X-Amz-Algorithm', 'AWS4-HMAC-SHA1'), /only supports/],
    ['a bad date', replace('X-Amz-Date', '2013-05-24'), /ISO8601/],
    ['expires negative', replace('X-Amz-Expires', '-5'), /non-negative/],
    ['expires over a week', replace('X-Amz-Expires', '604801'), /^X-Amz-Expires must be less than a week \(in seconds\); that is, the given X-Amz-Expires must be less than 604800 seconds$/],
    ['expires not a number', replace('X-Amz-Expires', 'soon'), /number/],
    ['a bad credential', replace('X-Amz-Credential', 'AKID%2F20130524%2Fus-east-1%2Fsqs%2Faws4_request'), /service/],
    ['a bad signature', replace('X-Amz-Signature', 'XYZ'), /64/],
    ['a repeated parameter', `${DOC_QUERY}&X-Amz-Date=20130524T000000Z`, /repeated/],
  ])('rejects %s with AuthorizationQueryParametersError', (_what, raw, message) => {
    expect(() => parse(raw)).toThrow(expect.objectContaining({ code: 'AuthorizationQueryParametersError', message: expect.stringMatching(message) }));
  });

  it('accepts 0 to 604800', () => {
    expect(parse(replace('X-Amz-Expires', '0')).expiresSeconds).toBe(0); // parses; the time check expires it
    expect(parse(replace('X-Amz-Expires', '1')).expiresSeconds).toBe(1);
    expect(parse(replace('X-Amz-Expires', '604800')).expiresSeconds).toBe(604800);
  });
});
