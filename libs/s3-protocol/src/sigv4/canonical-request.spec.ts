import { SUITE_CREDENTIALS, SUITE_SERVICE, SUITE_VECTORS } from '../../test/sigv4-suite.fixture';
import { canonicalHeaders } from './canonical-headers';
import { canonicalQuery, parseRawQuery } from './canonical-query';
import { canonicalRequest, sha256Hex, sha256HexOfWire } from './canonical-request';
import { canonicalUri } from './canonical-uri';
import { formatScope } from './credential';
import { toHeaderMap } from './headers';
import { parseAuthorizationHeader } from './parse-authorization';
import { computeSignature } from './signature';
import { deriveSigningKey } from './signing-key';
import { stringToSign } from './string-to-sign';

describe('AWS Signature Version 4 test suite, step by step', () => {
  it.each(SUITE_VECTORS.map((v) => [v.name, v] as const))('%s', (_name, v) => {
    const auth = parseAuthorizationHeader(v.authorization, SUITE_SERVICE);
    const canonical = canonicalRequest({
      method: v.method,
      uri: canonicalUri(v.rawPath),
      query: canonicalQuery(parseRawQuery(v.rawQuery)),
      headers: canonicalHeaders(toHeaderMap(v.headers), auth.signedHeaders, 'AuthorizationHeaderMalformed'),
      signedHeaders: auth.signedHeaders,
      payloadHash: sha256Hex(v.body ?? ''),
    });
    const key = deriveSigningKey(SUITE_CREDENTIALS.secretAccessKey, auth.scope);
    const signature = computeSignature(key, stringToSign(v.headers['x-amz-date'], formatScope(auth.scope), sha256Hex(canonical)));
    expect(signature).toBe(auth.signature);
  });

  it('fails when any step is wrong (the vectors can fail)', () => {
    const v = SUITE_VECTORS.find((x) => x.name === 'get-vanilla-query-order-key-case');
    if (v === undefined) throw new Error('missing vector');
    const auth = parseAuthorizationHeader(v.authorization, SUITE_SERVICE);
    const unsorted = `${v.method}\n/\nParam2=value2&Param1=value1\n${canonicalHeaders(toHeaderMap(v.headers), auth.signedHeaders, 'AuthorizationHeaderMalformed')}\nhost;x-amz-date\n${sha256Hex('')}`;
    const key = deriveSigningKey(SUITE_CREDENTIALS.secretAccessKey, auth.scope);
    expect(computeSignature(key, stringToSign('20150830T123600Z', formatScope(auth.scope), sha256Hex(unsorted)))).not.toBe(auth.signature);
  });
});

describe('canonicalRequest', () => {
  it('builds the AWS S3 documentation GET example', () => {
    const headers = toHeaderMap({
      host: 'examplebucket.s3.amazonaws.com',
      range: 'bytes=0-9',
      'x-amz-content-sha256': 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      'x-amz-date': '20130524T000000Z',
    });
    const signed = ['host', 'range', 'x-amz-content-sha256', 'x-amz-date'];
    const canonical = canonicalRequest({
      method: 'GET',
      uri: canonicalUri('/test.txt'),
      query: '',
      headers: canonicalHeaders(headers, signed, 'AuthorizationHeaderMalformed'),
      signedHeaders: signed,
      payloadHash: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    });
    expect(canonical).toBe(
      'GET\n/test.txt\n\nhost:examplebucket.s3.amazonaws.com\nrange:bytes=0-9\n' +
        'x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\nx-amz-date:20130524T000000Z\n\n' +
        'host;range;x-amz-content-sha256;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
    expect(sha256Hex(canonical)).toBe('7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972');
  });
});

describe('canonicalRequest, the signed header list', () => {
  const parts = (signedHeaders: readonly string[]) => ({ method: 'GET', uri: '/', query: '', headers: '', signedHeaders, payloadHash: 'UNSIGNED-PAYLOAD' });
  const listOf = (canonical: string) => canonical.split('\n')[4];

  it('joins each list, the same frozen one again and again, and a list that changed', () => {
    const frozen = Object.freeze(['host', 'x-amz-date']);
    expect(listOf(canonicalRequest(parts(frozen)))).toBe('host;x-amz-date');
    expect(listOf(canonicalRequest(parts(frozen)))).toBe('host;x-amz-date');
    expect(listOf(canonicalRequest(parts(Object.freeze(['host']))))).toBe('host');
    const mutable = ['host', 'range'];
    expect(listOf(canonicalRequest(parts(mutable)))).toBe('host;range');
    mutable.push('x-amz-date');
    expect(listOf(canonicalRequest(parts(mutable)))).toBe('host;range;x-amz-date');
    expect(listOf(canonicalRequest(parts(frozen)))).toBe('host;x-amz-date');
  });
});

describe('sha256HexOfWire', () => {
  it('hashes ASCII as is, chars 0x80-0xff as the latin1 bytes they came as, and anything past 0xff as UTF-8', () => {
    const { createHash } = jest.requireActual<typeof import('node:crypto')>('node:crypto');
    const hash = (s: string, enc: 'latin1' | 'utf8') => createHash('sha256').update(s, enc).digest('hex');
    expect(sha256HexOfWire('GET\n/\n')).toBe(hash('GET\n/\n', 'utf8'));
    expect(sha256HexOfWire('x-amz-meta-a:h\u00c3\u00a9llo')).toBe(hash('x-amz-meta-a:h\u00c3\u00a9llo', 'latin1'));
    expect(sha256HexOfWire('x-amz-meta-a:h\u00c3\u00a9llo')).not.toBe(hash('x-amz-meta-a:h\u00c3\u00a9llo', 'utf8'));
    expect(sha256HexOfWire('key:\u65e5\u672c')).toBe(hash('key:\u65e5\u672c', 'utf8'));
  });
});
