/**
 * An incremental HTTP/1.1 response parser for the blob data path's client (read-client.ts), fed the
 * bytes of a socket read as they land, so body bytes reach the consumer as views of the read's buffer
 * (no copy, no per-read allocation; Node's http client allocates a 64 KiB buffer per socket read).
 *
 * It parses what an HTTP/1.1 server may send to a request without `Expect`: a status line and headers
 * (interim 1xx responses skipped), then a body delimited by `Transfer-Encoding: chunked` (with chunk
 * extensions ignored and trailers collected), by `Content-Length`, or by the connection's end. It
 * refuses what it cannot delimit safely: a malformed status line, header or chunk size, a
 * Content-Length that is not one non-negative integer, a transfer coding other than chunked, a head or
 * a trailer section over `maxHead` bytes. Header and trailer names are lowercased; repeated fields
 * are joined with ", " (RFC 9110 §5.3).
 */
export interface ResponseSink {
  /** Status and headers, once per (final) response. */
  head(status: number, headers: Readonly<Record<string, string>>): void;
  /** Body bytes `buf[start, end)`: valid only until the buffer is read into again (the owner decides). */
  data(buf: Buffer, start: number, end: number): void;
  /** The body ended; `trailers` is empty unless chunked with a trailer section. */
  end(trailers: Readonly<Record<string, string>>): void;
}

export class HttpParseError extends Error {}

const enum State {
  Head,
  ChunkSize,
  ChunkData,
  ChunkDataEnd,
  Trailers,
  LengthBody,
  UntilClose,
  Done,
}

const CR = 13;
const LF = 10;
/** Longest chunk-size line accepted (a size and extensions). */
const MAX_CHUNK_LINE = 1024;
/** Chunk sizes above this are refused: 2^40 bytes, far past any chunk a server sends. */
const MAX_CHUNK_HEX_DIGITS = 10;

export class ResponseParser {
  private state = State.Head;
  /** The partial line carried over from the previous feed (latin1). */
  private line = '';
  /** Bytes of head or trailers seen so far (the `maxHead` limit). */
  private sectionBytes = 0;
  private status = 0;
  private fields: Record<string, string> = {};
  private statusLineSeen = false;
  /** Body bytes left in the current chunk or Content-Length body. */
  private remaining = 0;
  private closeDelimited = false;
  private connectionClose = false;
  private http10 = false;
  /** A byte of the response has arrived (a cut is then mid-response). */
  private seenBytes = false;

  constructor(
    private readonly sink: ResponseSink,
    private readonly maxHead = 64 * 1024,
  ) {}

  /** The response has been parsed to its end. */
  get done(): boolean {
    return this.state === State.Done;
  }

  /** The connection may carry another request: a delimited body and no `Connection: close`. */
  get reusable(): boolean {
    return this.state === State.Done && !this.closeDelimited && !this.connectionClose && !this.http10;
  }

  /**
   * Parses `buf[start, end)`. Returns the offset where the response ended (`end` unless bytes follow
   * it: the caller decides what they mean). Throws HttpParseError on malformed input.
   */
  feed(buf: Buffer, start: number, end: number): number {
    if (end > start && this.state !== State.Done) this.seenBytes = true;
    let at = start;
    while (at < end) {
      switch (this.state) {
        case State.LengthBody:
        case State.ChunkData: {
          const take = Math.min(this.remaining, end - at);
          this.sink.data(buf, at, at + take);
          at += take;
          this.remaining -= take;
          if (this.remaining === 0) {
            if (this.state === State.LengthBody) this.finish({});
            else this.state = State.ChunkDataEnd;
          }
          break;
        }
        case State.UntilClose:
          this.sink.data(buf, at, end);
          at = end;
          break;
        case State.Done:
          return at;
        default: {
          const next = this.readLine(buf, at, end);
          if (next < 0) return end;
          at = next;
        }
      }
    }
    return at;
  }

  /** The connection ended: completes a close-delimited body, otherwise the response was cut. */
  eof(): void {
    if (this.state === State.Done) return;
    if (this.state === State.UntilClose) return this.finish({});
    throw new HttpParseError(this.seenBytes ? 'the connection closed before the response ended' : 'the connection closed before a response');
  }

  /** Consumes up to one line ending in `buf[at, end)`; returns where parsing resumes, or -1 when the line is incomplete. */
  private readLine(buf: Buffer, at: number, end: number): number {
    const lf = indexOfLf(buf, at, end);
    const stop = lf < 0 ? end : lf;
    const limit = this.state === State.ChunkSize || this.state === State.ChunkDataEnd ? MAX_CHUNK_LINE : this.maxHead;
    this.sectionBytes += stop - at + (lf < 0 ? 0 : 1);
    if (this.sectionBytes > limit) {
      throw new HttpParseError(this.state === State.Head ? `response head over ${limit} bytes` : this.state === State.Trailers ? `trailers over ${limit} bytes` : 'chunk size line too long');
    }
    this.line += buf.toString('latin1', at, stop);
    if (lf < 0) return -1;
    let line = this.line;
    this.line = '';
    if (line.length > 0 && line.charCodeAt(line.length - 1) === CR) line = line.slice(0, -1);
    this.onLine(line);
    return lf + 1;
  }

  private onLine(line: string): void {
    switch (this.state) {
      case State.Head:
        if (!this.statusLineSeen) return this.onStatusLine(line);
        if (line === '') return this.onHeadEnd();
        return this.onField(line);
      case State.ChunkSize:
        return this.onChunkSize(line);
      case State.ChunkDataEnd:
        if (line !== '') throw new HttpParseError('chunk data not followed by CRLF');
        this.state = State.ChunkSize;
        this.sectionBytes = 0;
        return;
      case State.Trailers:
        if (line === '') return this.finish(this.fields);
        return this.onField(line);
    }
  }

  private onStatusLine(line: string): void {
    const m = /^HTTP\/1\.([01]) (\d{3})(?: |$)/.exec(line);
    if (!m) throw new HttpParseError(`malformed status line ${JSON.stringify(line.slice(0, 80))}`);
    this.http10 = m[1] === '0';
    this.status = Number(m[2]);
    this.statusLineSeen = true;
  }

  private onField(line: string): void {
    const colon = line.indexOf(':');
    // No whitespace before the colon (RFC 9112 §5.1) and no obsolete line folding.
    if (colon <= 0 || line.charCodeAt(colon - 1) <= 32 || line.charCodeAt(0) <= 32) {
      throw new HttpParseError(`malformed header line ${JSON.stringify(line.slice(0, 80))}`);
    }
    const name = line.slice(0, colon).toLowerCase();
    const value = line.slice(colon + 1).trim();
    const had = this.fields[name];
    this.fields[name] = had === undefined ? value : `${had}, ${value}`;
  }

  private onHeadEnd(): void {
    const status = this.status;
    const fields = this.fields;
    this.fields = {};
    this.sectionBytes = 0;
    this.statusLineSeen = false;
    // Interim responses (100 Continue, 103 Early Hints): the final one follows.
    if (status >= 100 && status < 200) return;
    this.connectionClose = (fields['connection'] ?? '').toLowerCase().split(',').some((t) => t.trim() === 'close');
    this.sink.head(status, fields);
    if (status === 204 || status === 304) return this.finish({});
    const te = fields['transfer-encoding'];
    if (te !== undefined) {
      if (te.trim().toLowerCase() !== 'chunked') throw new HttpParseError(`unsupported transfer-encoding ${JSON.stringify(te)}`);
      this.state = State.ChunkSize;
      return;
    }
    const cl = fields['content-length'];
    if (cl !== undefined) {
      const values = new Set(cl.split(',').map((v) => v.trim()));
      const [only] = values;
      if (values.size !== 1 || only === undefined || !/^\d{1,15}$/.test(only)) throw new HttpParseError(`bad content-length ${JSON.stringify(cl.slice(0, 40))}`);
      this.remaining = Number(only);
      if (this.remaining === 0) return this.finish({});
      this.state = State.LengthBody;
      return;
    }
    this.closeDelimited = true;
    this.state = State.UntilClose;
  }

  private onChunkSize(line: string): void {
    const m = /^([0-9A-Fa-f]+)[ \t]*(?:;.*)?$/.exec(line);
    if (!m || m[1]!.length > MAX_CHUNK_HEX_DIGITS) throw new HttpParseError(`malformed chunk size ${JSON.stringify(line.slice(0, 40))}`);
    const size = parseInt(m[1]!, 16);
    this.sectionBytes = 0;
    if (size === 0) {
      this.state = State.Trailers;
      return;
    }
    this.remaining = size;
    this.state = State.ChunkData;
  }

  private finish(trailers: Record<string, string>): void {
    this.state = State.Done;
    this.fields = {};
    this.sink.end(trailers);
  }
}

/** The first LF in `buf[at, end)`, or -1 (never looks past `end`: the rest of a reused buffer is stale). */
function indexOfLf(buf: Buffer, at: number, end: number): number {
  const i = (end === buf.length ? buf : buf.subarray(0, end)).indexOf(LF, at);
  return i >= 0 ? i : -1;
}
