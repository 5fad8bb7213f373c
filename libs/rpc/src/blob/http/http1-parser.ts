/**
 * Incremental HTTP/1.1 parsers for the blob data path, fed the bytes of a socket read as they land,
 * so body bytes reach the consumer as views of the read's buffer (no copy, no per-read allocation;
 * Node's http client and server allocate a 64 KiB buffer per socket read, and the server copies each
 * body piece once more). ResponseParser serves the client (read-client.ts), RequestParser the blob's
 * server (http1-server.ts).
 *
 * Both parse a head, then a body delimited by `Transfer-Encoding: chunked` (chunk extensions ignored,
 * trailers collected) or by `Content-Length`; a response may also end with the connection. They
 * refuse what they cannot delimit safely: a malformed start line, header or chunk size, a
 * Content-Length that is not one non-negative integer, a transfer coding other than chunked, a head or
 * a trailer section over `maxHead` bytes, and in a request both Transfer-Encoding and Content-Length
 * (RFC 9112 §6.1: the request smuggling vector). Header and trailer names are lowercased; repeated
 * fields are joined with ", " (RFC 9110 §5.3).
 */

/**
 * The response parser takes what an HTTP/1.1 server may send to a request without `Expect`: a status
 * line and headers (interim 1xx responses skipped), then the body.
 */
export interface ResponseSink {
  /** Status and headers, once per (final) response. */
  head(status: number, headers: Readonly<Record<string, string>>): void;
  /** Body bytes `buf[start, end)`: valid only until the buffer is read into again (the owner decides). */
  data(buf: Buffer, start: number, end: number): void;
  /** The body ended; `trailers` is empty unless chunked with a trailer section. */
  end(trailers: Readonly<Record<string, string>>): void;
}

/** What RequestParser reports: a request head, its body bytes, its end. */
export interface RequestSink {
  /** Method, request target and headers, once per request. */
  head(method: string, target: string, headers: Readonly<Record<string, string>>): void;
  /** Body bytes `buf[start, end)`: valid only until the buffer is read into again (the owner decides). */
  data(buf: Buffer, start: number, end: number): void;
  /** The body ended (at once for a request without one); `trailers` as for a response. */
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

/** A body's delimitation: chunked, a Content-Length, until the connection closes, or none. */
type Framing = 'chunked' | number | 'close' | 'empty';

const CR = 13;
const LF = 10;
/** Longest chunk-size line accepted (a size and extensions). */
const MAX_CHUNK_LINE = 1024;
/** Chunk sizes above this are refused: 2^40 bytes, far past any chunk a server sends. */
const MAX_CHUNK_HEX_DIGITS = 10;

/** The state machine both parsers share: lines of the head, then the body's framing. */
abstract class MessageParser {
  protected state = State.Head;
  /** The partial line carried over from the previous feed (latin1). */
  private line = '';
  /** Bytes of head or trailers seen so far (the `maxHead` limit). */
  private sectionBytes = 0;
  protected fields: Record<string, string> = {};
  protected startLineSeen = false;
  /** Body bytes left in the current chunk or Content-Length body. */
  private remaining = 0;
  protected closeDelimited = false;
  protected connectionClose = false;
  protected http10 = false;
  /** A byte of the message has arrived (a cut is then mid-message). */
  protected seenBytes = false;

  constructor(
    private readonly bodySink: { data(buf: Buffer, start: number, end: number): void; end(trailers: Readonly<Record<string, string>>): void },
    protected readonly maxHead: number,
  ) {}

  /** The message has been parsed to its end. */
  get done(): boolean {
    return this.state === State.Done;
  }

  /** The connection may carry another message: a delimited body and no `Connection: close`. */
  get reusable(): boolean {
    return this.state === State.Done && !this.closeDelimited && !this.connectionClose && !this.http10;
  }

  /** A head line was the start line: parse it (throwing HttpParseError when malformed). */
  protected abstract onStartLine(line: string): void;
  /** The head ended: report it and choose the body's framing (`framing`, `finish`). */
  protected abstract onHeadEnd(): void;
  /** What the head or trailer limit is called in errors. */
  protected abstract readonly what: string;

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
          this.bodySink.data(buf, at, at + take);
          at += take;
          this.remaining -= take;
          if (this.remaining === 0) {
            if (this.state === State.LengthBody) this.finish({});
            else this.state = State.ChunkDataEnd;
          }
          break;
        }
        case State.UntilClose:
          this.bodySink.data(buf, at, end);
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

  /** The connection ended: completes a close-delimited body, otherwise the message was cut. */
  eof(): void {
    if (this.state === State.Done) return;
    if (this.state === State.UntilClose) return this.finish({});
    throw new HttpParseError(this.seenBytes ? `the connection closed before the ${this.what} ended` : `the connection closed before a ${this.what}`);
  }

  /** Consumes up to one line ending in `buf[at, end)`; returns where parsing resumes, or -1 when the line is incomplete. */
  private readLine(buf: Buffer, at: number, end: number): number {
    const lf = indexOfLf(buf, at, end);
    const stop = lf < 0 ? end : lf;
    const limit = this.state === State.ChunkSize || this.state === State.ChunkDataEnd ? MAX_CHUNK_LINE : this.maxHead;
    this.sectionBytes += stop - at + (lf < 0 ? 0 : 1);
    if (this.sectionBytes > limit) {
      throw new HttpParseError(this.state === State.Head ? `${this.what} head over ${limit} bytes` : this.state === State.Trailers ? `trailers over ${limit} bytes` : 'chunk size line too long');
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
        if (!this.startLineSeen) return this.onStartLine(line);
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

  protected onField(line: string): void {
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

  /** Takes the head's fields, ready for the next section. */
  protected takeHead(): Record<string, string> {
    const fields = this.fields;
    this.fields = {};
    this.sectionBytes = 0;
    this.startLineSeen = false;
    this.connectionClose = (fields['connection'] ?? '').toLowerCase().split(',').some((t) => t.trim() === 'close');
    return fields;
  }

  /**
   * How the head delimits its body: Transfer-Encoding (chunked only) or Content-Length; `otherwise`
   * when it has neither. Throws HttpParseError for framing it cannot trust.
   */
  protected framingOf(fields: Record<string, string>, otherwise: 'close' | 'empty'): Framing {
    const te = fields['transfer-encoding'];
    const cl = fields['content-length'];
    if (te !== undefined) {
      if (te.trim().toLowerCase() !== 'chunked') throw new HttpParseError(`unsupported transfer-encoding ${JSON.stringify(te)}`);
      if (cl !== undefined && otherwise === 'empty') throw new HttpParseError('a request with both transfer-encoding and content-length');
      return 'chunked';
    }
    if (cl !== undefined) {
      const values = new Set(cl.split(',').map((v) => v.trim()));
      const [only] = values;
      if (values.size !== 1 || only === undefined || !/^\d{1,15}$/.test(only)) throw new HttpParseError(`bad content-length ${JSON.stringify(cl.slice(0, 40))}`);
      return Number(only);
    }
    return otherwise;
  }

  /** Reads the body as `framing` says (a body of zero length finishes the message at once). */
  protected startBody(framing: Framing): void {
    if (framing === 'chunked') {
      this.state = State.ChunkSize;
    } else if (framing === 'close') {
      this.closeDelimited = true;
      this.state = State.UntilClose;
    } else if (framing === 'empty' || framing === 0) {
      this.finish({});
    } else {
      this.remaining = framing;
      this.state = State.LengthBody;
    }
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

  protected finish(trailers: Record<string, string>): void {
    this.state = State.Done;
    this.fields = {};
    this.bodySink.end(trailers);
  }
}

/** Parses one response (a connection's next response needs a new parser). */
export class ResponseParser extends MessageParser {
  protected readonly what = 'response';
  private status = 0;

  constructor(
    private readonly sink: ResponseSink,
    maxHead = 64 * 1024,
  ) {
    super(sink, maxHead);
  }

  protected onStartLine(line: string): void {
    const m = /^HTTP\/1\.([01]) (\d{3})(?: |$)/.exec(line);
    if (!m) throw new HttpParseError(`malformed status line ${JSON.stringify(line.slice(0, 80))}`);
    this.http10 = m[1] === '0';
    this.status = Number(m[2]);
    this.startLineSeen = true;
  }

  protected onHeadEnd(): void {
    const status = this.status;
    const fields = this.takeHead();
    // Interim responses (100 Continue, 103 Early Hints): the final one follows.
    if (status >= 100 && status < 200) return;
    if (status === 204 || status === 304) {
      this.sink.head(status, fields);
      return this.finish({});
    }
    const framing = this.framingOf(fields, 'close');
    this.sink.head(status, fields);
    this.startBody(framing);
  }
}

/** Request methods are tokens (RFC 9110 §9.1); the target is anything without whitespace. */
const REQUEST_LINE = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+) (\S+) HTTP\/1\.([01])$/;

/**
 * Parses one request (a connection's next request needs a new parser): a request line (empty lines
 * before it are skipped, RFC 9112 §2.2), headers, then the body; a request with neither
 * Transfer-Encoding nor Content-Length has none. HTTP/1.0 requests are answered and the connection
 * closed (`reusable` is false).
 */
export class RequestParser extends MessageParser {
  protected readonly what = 'request';
  private method = '';
  private target = '';

  constructor(
    private readonly sink: RequestSink,
    maxHead = 64 * 1024,
  ) {
    super(sink, maxHead);
  }

  /** The head has been parsed (the body may still be coming). */
  get headDone(): boolean {
    return this.state !== State.Head;
  }

  /** Nothing of a request has arrived yet (a connection closing now closes cleanly). */
  get idle(): boolean {
    return !this.seenBytes;
  }

  protected onStartLine(line: string): void {
    if (line === '') return;
    const m = REQUEST_LINE.exec(line);
    if (!m) throw new HttpParseError(`malformed request line ${JSON.stringify(line.slice(0, 80))}`);
    this.method = m[1]!;
    this.target = m[2]!;
    this.http10 = m[3] === '0';
    this.startLineSeen = true;
  }

  protected onHeadEnd(): void {
    const fields = this.takeHead();
    // Refused framing is refused before the head is reported: no handler starts on a bad request.
    const framing = this.framingOf(fields, 'empty');
    this.sink.head(this.method, this.target, fields);
    this.startBody(framing);
  }
}

/** The first LF in `buf[at, end)`, or -1 (never looks past `end`: the rest of a reused buffer is stale). */
function indexOfLf(buf: Buffer, at: number, end: number): number {
  const i = (end === buf.length ? buf : buf.subarray(0, end)).indexOf(LF, at);
  return i >= 0 ? i : -1;
}
