import { createHash, type Hash } from 'node:crypto';
import { Crc64Nvme } from '@aws-sdk/crc64-nvme';
// @node-rs/crc32's crc32 gives zlib.crc32's values (ISO-HDLC, S3's CRC32) about 2.5x faster (SIMD).
import { crc32, crc32c } from '@node-rs/crc32';
import type { ChecksumAlgorithm } from './algorithms';

/** An incremental checksum. `digest` returns the big-endian bytes S3 base64-encodes. */
export interface ChecksumHasher {
  readonly algorithm: ChecksumAlgorithm;
  update(data: Uint8Array): void;
  digest(): Promise<Buffer>;
}

export function createChecksumHasher(algorithm: ChecksumAlgorithm): ChecksumHasher {
  switch (algorithm) {
    case 'CRC32':
      return new Crc32Hasher(algorithm, crc32);
    case 'CRC32C':
      return new Crc32Hasher(algorithm, crc32c);
    case 'CRC64NVME':
      return new Crc64NvmeHasher();
    case 'SHA1':
      return new ShaHasher(algorithm, createHash('sha1'));
    case 'SHA256':
      return new ShaHasher(algorithm, createHash('sha256'));
  }
}

/** Base64 checksum of a whole buffer or stream. */
export async function computeChecksum(algorithm: ChecksumAlgorithm, data: Uint8Array | AsyncIterable<Uint8Array> | Iterable<Uint8Array>): Promise<string> {
  const hasher = createChecksumHasher(algorithm);
  if (data instanceof Uint8Array) hasher.update(data);
  else for await (const chunk of data) hasher.update(chunk);
  return (await hasher.digest()).toString('base64');
}

class Crc32Hasher implements ChecksumHasher {
  private state = 0;
  constructor(
    readonly algorithm: ChecksumAlgorithm,
    private readonly fn: (data: Uint8Array, initial: number) => number,
  ) {}
  update(data: Uint8Array): void {
    this.state = this.fn(data, this.state);
  }
  async digest(): Promise<Buffer> {
    const out = Buffer.alloc(4);
    out.writeUInt32BE(this.state >>> 0);
    return out;
  }
}

class Crc64NvmeHasher implements ChecksumHasher {
  readonly algorithm = 'CRC64NVME' as const;
  private readonly crc = new Crc64Nvme();
  update(data: Uint8Array): void {
    this.crc.update(data);
  }
  async digest(): Promise<Buffer> {
    return Buffer.from(await this.crc.digest());
  }
}

class ShaHasher implements ChecksumHasher {
  constructor(
    readonly algorithm: ChecksumAlgorithm,
    private readonly hash: Hash,
  ) {}
  update(data: Uint8Array): void {
    this.hash.update(data);
  }
  async digest(): Promise<Buffer> {
    return this.hash.copy().digest();
  }
}
