import { S3Error } from '../errors';

const EMPTY = Buffer.alloc(0);
const LF = 0x0a;
const CR = 0x0d;

/**
 * Pull-based reader over an async iterable of buffers, for framing parsers. Data is handed out as
 * subarrays of the source buffers (no copy); only a line split across two source buffers is joined.
 */
export class ByteReader {
  private buf: Buffer = EMPTY;
  private pos = 0;
  private ended = false;
  private readonly it: AsyncIterator<Uint8Array>;

  constructor(source: AsyncIterable<Uint8Array>) {
    this.it = source[Symbol.asyncIterator]();
  }

  /**
   * The next line ending in CRLF, without it, as latin1 (framing lines are ASCII). Null at end of input
   * when no byte of a line was read. Throws when a line is longer than `maxBytes`, lacks its CR, or is
   * cut by the end of input.
   */
  async readLine(maxBytes: number): Promise<string | null> {
    let parts: Buffer[] | undefined;
    let length = 0;
    for (;;) {
      if (this.pos >= this.buf.length && !(await this.fill())) {
        if (parts === undefined) return null;
        throw new S3Error('IncompleteBody', 'The request body ended in the middle of a chunk header or trailer line.');
      }
      const lf = this.buf.indexOf(LF, this.pos);
      const end = lf < 0 ? this.buf.length : lf;
      length += end - this.pos;
      if (length > maxBytes) {
        throw new S3Error('InvalidRequest', `An aws-chunked header or trailer line is longer than ${maxBytes} bytes.`);
      }
      if (lf < 0) {
        // Copy: the line continues in the next source buffer (rare and small).
        (parts ??= []).push(Buffer.from(this.buf.subarray(this.pos)));
        this.pos = this.buf.length;
        continue;
      }
      const tail = this.buf.subarray(this.pos, lf);
      this.pos = lf + 1;
      const line = parts === undefined ? tail : Buffer.concat([...parts, tail]);
      if (line.length === 0 || line[line.length - 1] !== CR) {
        throw new S3Error('InvalidRequest', 'An aws-chunked line does not end with CRLF.');
      }
      return line.toString('latin1', 0, line.length - 1);
    }
  }

  /** Between 1 and `max` bytes, as a view on the source buffer; null at end of input. */
  async readSome(max: number): Promise<Buffer | null> {
    if (this.pos >= this.buf.length && !(await this.fill())) return null;
    const n = Math.min(max, this.buf.length - this.pos);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** Consumes exactly CRLF (possibly split across buffers). */
  async expectCrlf(): Promise<void> {
    for (const expected of [CR, LF]) {
      const b = await this.readSome(1);
      if (b === null) throw new S3Error('IncompleteBody', 'The request body ended before the CRLF that closes a chunk.');
      if (b[0] !== expected) throw new S3Error('InvalidRequest', 'An aws-chunked chunk is not followed by CRLF.');
    }
  }

  /** True when no byte remains. */
  async atEnd(): Promise<boolean> {
    return this.pos >= this.buf.length && !(await this.fill());
  }

  /** Lets the source release its resources when parsing stops early. */
  async close(): Promise<void> {
    if (!this.ended) {
      this.ended = true;
      await this.it.return?.();
    }
  }

  private async fill(): Promise<boolean> {
    while (!this.ended) {
      const next = await this.it.next();
      if (next.done === true) {
        this.ended = true;
        break;
      }
      const v = next.value;
      if (v.byteLength === 0) continue;
      this.buf = Buffer.isBuffer(v) ? v : Buffer.from(v.buffer, v.byteOffset, v.byteLength);
      this.pos = 0;
      return true;
    }
    this.buf = EMPTY;
    this.pos = 0;
    return false;
  }
}
