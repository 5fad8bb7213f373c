import { crc32 } from 'node:zlib';
import { encodeAwsChunked, signingKey, type ChunkSigner } from '../../test/aws-chunked-signer';
import { collect, errorCode, fixedSplit, prng, randomSplit } from '../../test/sources';
import { decodeAwsChunked, type AwsChunkedOptions, type Trailers } from './aws-chunked';
import { verifySigV4 } from './verify';

const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const SEED = '4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9';
const signer: ChunkSigner = {
  signingKey: signingKey(SECRET, '20130524', 'us-east-1', 's3'),
  seedSignature: SEED,
  scope: '20130524/us-east-1/s3/aws4_request',
  datetime: '20130524T000000Z',
};

const payload = (n: number, seed = 7): Buffer => {
  const rand = prng(seed);
  const block = Buffer.allocUnsafe(Math.min(n, 65521)); // a prime length, so chunk edges see varied bytes
  for (let i = 0; i < block.length; i++) block[i] = (rand() * 256) | 0;
  return n <= block.length ? block : Buffer.alloc(n, block);
};
const crc32b64 = (b: Buffer): string => {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(crc32(b) >>> 0);
  return out.toString('base64');
};
const decode = (body: Buffer, opts: AwsChunkedOptions, seed = 1, maxPiece = 97) => collect(decodeAwsChunked(randomSplit(body, seed, maxPiece), opts));

describe('decodeAwsChunked: the AWS documentation example (STREAMING-AWS4-HMAC-SHA256-PAYLOAD)', () => {
  const headers = {
    host: 's3.amazonaws.com',
    'x-amz-date': '20130524T000000Z',
    'x-amz-storage-class': 'REDUCED_REDUNDANCY',
    authorization:
      'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class,' +
      `Signature=${SEED}`,
    'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
    'content-encoding': 'aws-chunked',
    'x-amz-decoded-content-length': '66560',
    'content-length': '66824',
  };
  const docBody = (corrupt = false): Buffer => {
    const chunk = (size: number, sig: string) => {
      const data = Buffer.alloc(size, 'a');
      if (corrupt && size === 1024) data[10] = 0x62;
      return Buffer.concat([Buffer.from(`${size.toString(16)};chunk-signature=${sig}\r\n`), data, Buffer.from('\r\n')]);
    };
    return Buffer.concat([
      chunk(65536, 'ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648'),
      chunk(1024, '0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497'),
      chunk(0, 'b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9'),
    ]);
  };
  const auth = () => {
    const result = verifySigV4(
      { method: 'PUT', rawPath: '/examplebucket/chunkObject.txt', rawQuery: '', headers },
      { lookup: (id) => (id === 'AKIAIOSFODNN7EXAMPLE' ? SECRET : undefined) },
      { now: new Date('2013-05-24T00:05:00Z'), region: 'us-east-1' },
    );
    if (result.kind === 'anonymous') throw new Error('anonymous');
    return result;
  };

  it('verifies the seed signature and the 66824-byte body', async () => {
    const result = auth();
    expect(result.payloadMode).toBe('streaming-signed');
    expect(result.decodedContentLength).toBe(66560);
    const body = docBody();
    expect(body.length).toBe(66824);
    for (const seed of [1, 2, 3]) {
      const out = await decode(body, { mode: result.payloadMode as 'streaming-signed', signing: result.signing, decodedContentLength: result.decodedContentLength }, seed, 5000);
      expect(out.equals(Buffer.alloc(66560, 'a'))).toBe(true);
    }
  });

  it('rejects the body with one altered byte', async () => {
    const result = auth();
    expect(await errorCode(decode(docBody(true), { mode: 'streaming-signed', signing: result.signing }))).toBe('SignatureDoesNotMatch');
  });
});

describe('decodeAwsChunked: signed chunks', () => {
  const data = payload(20000);
  const { body } = encodeAwsChunked(data, { chunkSizes: [8192, 8192], signer });
  const opts: AwsChunkedOptions = { mode: 'streaming-signed', signing: signer, decodedContentLength: data.length };

  it('decodes the same whatever the source buffer boundaries', async () => {
    for (let seed = 0; seed < 30; seed++) expect((await decode(body, opts, seed, 1 + (seed % 5) * 40)).equals(data)).toBe(true);
    expect((await collect(decodeAwsChunked(fixedSplit(body, 1), opts))).equals(data)).toBe(true);
    expect((await collect(decodeAwsChunked(fixedSplit(body, body.length), opts))).equals(data)).toBe(true);
  });

  it('decodes an empty payload (only the final chunk)', async () => {
    const empty = encodeAwsChunked(Buffer.alloc(0), { chunkSizes: [], signer }).body;
    expect((await decode(empty, { ...opts, decodedContentLength: 0 })).length).toBe(0);
  });

  it('rejects a bad chunk signature, a missing one, and a wrong seed', async () => {
    const tampered = Buffer.from(body);
    tampered[body.indexOf('\r\n') + 2 + 9000 - 8192] ^= 1; // a byte of the second chunk
    expect(await errorCode(decode(tampered, opts))).toBe('SignatureDoesNotMatch');
    const badSig = Buffer.from(body.toString('latin1').replace(/chunk-signature=[0-9a-f]/, 'chunk-signature=Z'), 'latin1');
    expect(await errorCode(decode(badSig, opts))).toBe('InvalidRequest');
    const unsigned = Buffer.from(body.toString('latin1').replace(/;chunk-signature=[0-9a-f]{64}/, ''), 'latin1');
    expect(await errorCode(decode(unsigned, opts))).toBe('InvalidRequest');
    expect(await errorCode(decode(body, { ...opts, signing: { ...signer, seedSignature: '0'.repeat(64) } }))).toBe('SignatureDoesNotMatch');
  });

  it('rejects reordered chunks', async () => {
    const a = encodeAwsChunked(Buffer.concat([data.subarray(8192, 16384), data.subarray(0, 8192)]), { chunkSizes: [8192], signer }).body;
    const { body: b } = encodeAwsChunked(data.subarray(0, 16384), { chunkSizes: [8192], signer });
    // Same chunks, same signatures, swapped: take the second chunk frame first.
    const first = b.subarray(0, b.indexOf('\r\n') + 2 + 8192 + 2);
    const second = b.subarray(first.length, first.length + first.length);
    const swapped = Buffer.concat([second, first, b.subarray(first.length * 2)]);
    expect(a.length).toBe(b.length);
    expect(await errorCode(decode(swapped, { mode: 'streaming-signed', signing: signer }))).toBe('SignatureDoesNotMatch');
  });

  it('fails cleanly on every truncation with IncompleteBody', async () => {
    const small = encodeAwsChunked(payload(300), { chunkSizes: [100, 100], signer }).body;
    for (let cut = 0; cut < small.length; cut++) {
      expect([cut, await errorCode(decode(small.subarray(0, cut), { mode: 'streaming-signed', signing: signer }, cut, 13))]).toEqual([cut, 'IncompleteBody']);
    }
  });

  it('checks x-amz-decoded-content-length', async () => {
    expect(await errorCode(decode(body, { ...opts, decodedContentLength: data.length + 1 }))).toBe('IncompleteBody');
    expect(await errorCode(decode(body, { ...opts, decodedContentLength: data.length - 1 }))).toBe('InvalidRequest');
  });

  it('enforces the header line and chunk size limits', async () => {
    const longHeader = Buffer.concat([Buffer.from(`2000;chunk-signature=${'a'.repeat(5000)}\r\n`), body]);
    expect(await errorCode(decode(longHeader, opts))).toBe('InvalidRequest');
    const endless = Buffer.from('1'.repeat(10000), 'latin1');
    expect(await errorCode(decode(endless, opts))).toBe('InvalidRequest');
    expect(await errorCode(decode(body, { ...opts, limits: { maxChunkBytes: 4096 } }))).toBe('EntityTooLarge');
    expect(await errorCode(decode(Buffer.from('fffffffffffffff;chunk-signature=x\r\n'), opts))).toBe('InvalidRequest');
  });

  it('rejects data after the final chunk', async () => {
    expect(await errorCode(decode(Buffer.concat([body, Buffer.from('x')]), opts))).toBe('InvalidRequest');
  });
});

describe('decodeAwsChunked: STREAMING-UNSIGNED-PAYLOAD-TRAILER (the AWS SDK default)', () => {
  const data = payload(70000, 3);
  const trailers = [['x-amz-checksum-crc32', crc32b64(data)]] as const;
  const { body } = encodeAwsChunked(data, { chunkSizes: [65536], trailers });
  const opts: AwsChunkedOptions = { mode: 'streaming-unsigned-trailer', decodedContentLength: data.length, expectedTrailers: ['x-amz-checksum-crc32'] };

  it('decodes the payload and exposes the trailers, whatever the buffer boundaries', async () => {
    for (let seed = 0; seed < 20; seed++) {
      let seen: Trailers | undefined;
      const out = await decode(body, { ...opts, onTrailers: (t) => (seen = t) }, seed, 1 + seed * 300);
      expect(out.equals(data)).toBe(true);
      expect(seen?.get('x-amz-checksum-crc32')).toBe(crc32b64(data));
    }
  });

  it('returns the trailers as the generator result', async () => {
    const it = decodeAwsChunked(fixedSplit(body, 4096), opts);
    let r = await it.next();
    while (r.done !== true) r = await it.next();
    expect(r.value.get('x-amz-checksum-crc32')).toBe(trailers[0][1]);
  });

  it('accepts a trailer section without its final empty line', async () => {
    const bare = encodeAwsChunked(data, { chunkSizes: [65536], trailers, omitFinalCrlf: true }).body;
    expect((await decode(bare, opts)).equals(data)).toBe(true);
  });

  it('rejects chunk signatures, undeclared or missing trailers, a trailer signature, and oversized trailers', async () => {
    const signedBody = encodeAwsChunked(data, { chunkSizes: [65536], trailers, signer }).body;
    expect(await errorCode(decode(signedBody, opts))).toBe('InvalidRequest');
    expect(await errorCode(decode(body, { ...opts, expectedTrailers: ['x-amz-checksum-crc32c'] }))).toBe('InvalidRequest');
    const none = encodeAwsChunked(data, { chunkSizes: [65536], trailers: [] }).body;
    expect(await errorCode(decode(none, opts))).toBe('InvalidRequest');
    const withSig = Buffer.from(body.toString('latin1').replace(/\r\n\r\n$/, `\r\nx-amz-trailer-signature:${'0'.repeat(64)}\r\n\r\n`), 'latin1');
    expect(await errorCode(decode(withSig, opts))).toBe('InvalidRequest');
    const many = encodeAwsChunked(data, { chunkSizes: [65536], trailers: Array.from({ length: 500 }, (_, i) => [`x-amz-meta-${i}`, 'v'.repeat(40)] as const) }).body;
    expect(await errorCode(decode(many, { ...opts, expectedTrailers: undefined }))).toBe('InvalidRequest');
  });

  it('fails on truncation inside the data or a trailer line', async () => {
    for (const cut of [10, 65536 + 5, body.length - 10]) expect(await errorCode(decode(body.subarray(0, cut), opts))).toBe('IncompleteBody');
  });

  it('streams a large chunk without buffering it', async () => {
    const big = payload(8 * 1024 * 1024, 9);
    const enc = encodeAwsChunked(big, { chunkSizes: [big.length], trailers: [['x-amz-checksum-crc32', crc32b64(big)]] }).body;
    let pulled = 0;
    async function* source(): AsyncGenerator<Buffer> {
      for (let i = 0; i < enc.length; i += 65536) {
        pulled++;
        yield enc.subarray(i, i + 65536);
      }
    }
    const it = decodeAwsChunked(source(), { mode: 'streaming-unsigned-trailer' });
    const first = await it.next();
    expect(first.done).toBe(false);
    expect(pulled).toBe(1);
    let total = first.done === true ? 0 : first.value.length;
    for (let r = await it.next(); r.done !== true; r = await it.next()) total += r.value.length;
    expect(total).toBe(big.length);
  });
});

describe('decodeAwsChunked: STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER', () => {
  const data = payload(30000, 5);
  const trailers = [['x-amz-checksum-crc32', crc32b64(data)]] as const;
  const { body } = encodeAwsChunked(data, { chunkSizes: [10000, 10000], trailers, signer, signTrailer: true });
  const opts: AwsChunkedOptions = { mode: 'streaming-signed-trailer', signing: signer, decodedContentLength: data.length, expectedTrailers: ['x-amz-checksum-crc32'] };

  it('verifies chunks and the trailer signature', async () => {
    for (let seed = 0; seed < 10; seed++) {
      let seen: Trailers | undefined;
      expect((await decode(body, { ...opts, onTrailers: (t) => (seen = t) }, seed)).equals(data)).toBe(true);
      expect(seen?.get('x-amz-checksum-crc32')).toBe(trailers[0][1]);
    }
  });

  it('rejects an altered trailer and a missing trailer signature', async () => {
    const altered = Buffer.from(body.toString('latin1').replace(trailers[0][1], 'AAAAAA=='), 'latin1');
    expect(await errorCode(decode(altered, opts))).toBe('SignatureDoesNotMatch');
    const unsignedTrailer = encodeAwsChunked(data, { chunkSizes: [10000, 10000], trailers, signer }).body;
    expect(await errorCode(decode(unsignedTrailer, opts))).toBe('SignatureDoesNotMatch');
  });

  it('closes the source when decoding fails', async () => {
    let closed = false;
    async function* source(): AsyncGenerator<Buffer> {
      try {
        yield Buffer.from('zz\r\n');
        yield body;
      } finally {
        closed = true;
      }
    }
    expect(await errorCode(collect(decodeAwsChunked(source(), opts)))).toBe('InvalidRequest');
    expect(closed).toBe(true);
  });
});
