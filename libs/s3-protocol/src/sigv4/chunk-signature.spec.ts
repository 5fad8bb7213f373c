import { createHash } from 'node:crypto';
import { ChunkSignatureChain, chunkStringToSign, type ChunkSigningContext } from './chunk-signature';
import { deriveSigningKey } from './signing-key';

/** AWS S3 documentation, sigv4-streaming "Example: PUT Object", and the CRT trailer vector built on it. */
const ctx: ChunkSigningContext = {
  signingKey: deriveSigningKey('wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', { date: '20130524', region: 'us-east-1', service: 's3' }),
  seedSignature: '4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9',
  scope: '20130524/us-east-1/s3/aws4_request',
  datetime: '20130524T000000Z',
};
const CHUNK1 = 'ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648';
const CHUNK2 = '0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497';
const FINAL = 'b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9';
const TRAILER = 'df5735bd9f3295cd9386572292562fefc93ba94e80a0a1ddcbd652c4e0a75e6c';
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('chunk signatures', () => {
  it('builds the documented chunk string to sign', () => {
    expect(chunkStringToSign(ctx, ctx.seedSignature, sha(Buffer.alloc(65536, 'a')))).toBe(
      'AWS4-HMAC-SHA256-PAYLOAD\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9\n' +
        'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\nbf718b6f653bebc184e1479f1935b8da974d701b893afcf49e701f3e2f9f9c5a',
    );
  });

  it('verifies the documented chain and the CRT trailer vector', () => {
    const chain = new ChunkSignatureChain(ctx);
    chain.verifyChunk(sha(Buffer.alloc(65536, 'a')), CHUNK1);
    chain.verifyChunk(sha(Buffer.alloc(1024, 'a')), CHUNK2);
    chain.verifyChunk(sha(Buffer.alloc(0)), FINAL);
    chain.verifyTrailer('first:1st\nsecond:2nd\nthird:3rd\n', TRAILER);
  });

  it('rejects a chunk out of order, altered data and an altered trailer', () => {
    const outOfOrder = new ChunkSignatureChain(ctx);
    expect(() => outOfOrder.verifyChunk(sha(Buffer.alloc(1024, 'a')), CHUNK2)).toThrow(expect.objectContaining({ code: 'SignatureDoesNotMatch' }));

    const altered = new ChunkSignatureChain(ctx);
    const data = Buffer.alloc(65536, 'a');
    data[100] = 0x62;
    expect(() => altered.verifyChunk(sha(data), CHUNK1)).toThrow(expect.objectContaining({ code: 'SignatureDoesNotMatch' }));

    const trailer = new ChunkSignatureChain(ctx);
    trailer.verifyChunk(sha(Buffer.alloc(65536, 'a')), CHUNK1);
    trailer.verifyChunk(sha(Buffer.alloc(1024, 'a')), CHUNK2);
    trailer.verifyChunk(sha(Buffer.alloc(0)), FINAL);
    expect(() => trailer.verifyTrailer('first:1st\nsecond:2nd\nthird:4th\n', TRAILER)).toThrow(expect.objectContaining({ code: 'SignatureDoesNotMatch' }));
  });
});
