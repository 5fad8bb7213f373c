import { HttpParseError, RequestParser, ResponseParser } from './http1-parser';

interface Parsed {
  status?: number;
  headers?: Readonly<Record<string, string>>;
  body: Buffer;
  trailers?: Readonly<Record<string, string>>;
  pieces: number;
}

function parserInto(out: Parsed): ResponseParser {
  const parts: Buffer[] = [];
  return new ResponseParser(
    {
      head: (status, headers) => Object.assign(out, { status, headers }),
      data: (buf, start, end) => {
        parts.push(Buffer.from(buf.subarray(start, end)));
        out.pieces++;
        out.body = Buffer.concat(parts);
      },
      end: (trailers) => (out.trailers = trailers),
    },
    1024,
  );
}

/** Feeds `bytes` in the given cuts; each piece sits in a larger buffer whose rest is stale junk. */
function parse(bytes: Buffer, cuts: number[] = []): Parsed & { rest: number; parser: ResponseParser } {
  const out: Parsed = { body: Buffer.alloc(0), pieces: 0 };
  const parser = parserInto(out);
  let from = 0;
  let rest = 0;
  for (const to of [...cuts, bytes.length]) {
    if (to <= from) continue;
    const buf = Buffer.alloc(to - from + 64, '\r\n0\r\n\r\nHTTP/1.1 500 stale\r\n\r\n');
    bytes.copy(buf, 0, from, to);
    const at = parser.feed(buf, 0, to - from);
    rest += to - from - at;
    from = to;
  }
  return { ...out, rest, parser };
}

const body = Buffer.from(Array.from({ length: 300 }, (_, i) => i % 251));
const chunked = Buffer.concat([
  Buffer.from('HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nTrailer: massive-status\r\nTransfer-Encoding: chunked\r\nX-Dup: a\r\nx-dup: b\r\n\r\n'),
  Buffer.from('64\r\n'),
  body.subarray(0, 100),
  Buffer.from('\r\nC8;ext=1\r\n'),
  body.subarray(100),
  Buffer.from('\r\n0\r\nmassive-status: OK\r\nMassive-Error-Message:  spaced  \r\n\r\n'),
]);

describe('ResponseParser', () => {
  it('parses a chunked response with trailers, whatever the reads it arrives in (every cut, stale bytes past each)', () => {
    const whole = parse(chunked);
    expect(whole.status).toBe(200);
    expect(whole.headers).toMatchObject({ 'content-type': 'application/octet-stream', 'transfer-encoding': 'chunked', 'x-dup': 'a, b' });
    expect(whole.body.equals(body)).toBe(true);
    expect(whole.trailers).toEqual({ 'massive-status': 'OK', 'massive-error-message': 'spaced' });
    expect(whole.parser.done && whole.parser.reusable).toBe(true);
    for (let cut = 1; cut < chunked.length; cut++) {
      const p = parse(chunked, [cut]);
      expect([cut, p.body.equals(body), p.trailers?.['massive-status'], p.rest]).toEqual([cut, true, 'OK', 0]);
    }
    const byByte = parse(chunked, Array.from({ length: chunked.length }, (_, i) => i + 1));
    expect([byByte.body.equals(body), byByte.trailers?.['massive-status']]).toEqual([true, 'OK']);
  });

  it('body bytes are handed on as they arrive: one piece per read of a chunk, no copy', () => {
    const p = parse(chunked, [200, 260]);
    expect(p.pieces).toBeGreaterThanOrEqual(3);
  });

  it('a Content-Length body, and a zero-length one', () => {
    const p = parse(Buffer.from('HTTP/1.1 404 Not Found\r\ncontent-length: 5\r\nmassive-error-code: NotFound\r\n\r\nnope!'));
    expect([p.status, p.body.toString(), p.headers?.['massive-error-code'], p.trailers, p.parser.reusable]).toEqual([404, 'nope!', 'NotFound', {}, true]);
    const empty = parse(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'));
    expect([empty.parser.done, empty.body.length]).toEqual([true, 0]);
  });

  it('bytes after the response are left to the caller', () => {
    const p = parse(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokEXTRA'));
    expect([p.body.toString(), p.rest]).toEqual(['ok', 5]);
  });

  it('interim 1xx responses are skipped; 204 has no body', () => {
    const p = parse(Buffer.from('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </x>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nz'));
    expect([p.status, p.body.toString(), p.headers?.['link']]).toEqual([200, 'z', undefined]);
    const none = parse(Buffer.from('HTTP/1.1 204 No Content\r\n\r\n'));
    expect([none.status, none.parser.done]).toEqual([204, true]);
  });

  it('a body without a length runs to the end of the connection, which is then not reusable', () => {
    const p = parse(Buffer.from('HTTP/1.1 200 OK\r\n\r\nall of it'));
    expect(p.parser.done).toBe(false);
    p.parser.eof();
    expect([p.body.toString(), p.parser.done, p.parser.reusable]).toEqual(['all of it', true, false]);
  });

  it('Connection: close and HTTP/1.0 responses are not reusable', () => {
    expect(parse(Buffer.from('HTTP/1.1 200 OK\r\nConnection: keep-alive, close\r\nContent-Length: 0\r\n\r\n')).parser.reusable).toBe(false);
    expect(parse(Buffer.from('HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n')).parser.reusable).toBe(false);
  });

  it('a response cut short is an error at EOF, before a response too', () => {
    const cut = parse(chunked.subarray(0, 200));
    expect(() => cut.parser.eof()).toThrow(new HttpParseError('the connection closed before the response ended'));
    const nothing = parse(Buffer.alloc(0));
    expect(() => nothing.parser.eof()).toThrow(new HttpParseError('the connection closed before a response'));
  });

  it.each([
    ['a malformed status line', 'HTTP/2 200 OK\r\n\r\n', /malformed status line/],
    ['a header without a colon', 'HTTP/1.1 200 OK\r\nnocolon\r\n\r\n', /malformed header line/],
    ['whitespace before the colon', 'HTTP/1.1 200 OK\r\nContent-Length : 1\r\n\r\n', /malformed header line/],
    ['a folded header line', 'HTTP/1.1 200 OK\r\nA: b\r\n c\r\n\r\n', /malformed header line/],
    ['two different lengths', 'HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n', /bad content-length/],
    ['a negative length', 'HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n', /bad content-length/],
    ['a transfer coding other than chunked', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n', /unsupported transfer-encoding/],
    ['a chunk size that is not hex', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n', /malformed chunk size/],
    ['a chunk size past 2^40', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffff\r\n', /malformed chunk size/],
    ['chunk data without its CRLF', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nab\r\n', /not followed by CRLF/],
    ['a head over the limit', `HTTP/1.1 200 OK\r\nBig: ${'x'.repeat(1100)}\r\n\r\n`, /response head over 1024 bytes/],
    ['trailers over the limit', `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nBig: ${'x'.repeat(1100)}\r\n\r\n`, /trailers over 1024 bytes/],
    ['an endless chunk size line', `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1;${'e'.repeat(1100)}`, /chunk size line too long/],
  ])('refuses %s', (_, text, message) => {
    expect(() => parse(Buffer.from(text))).toThrow(message);
    expect(() => parse(Buffer.from(text))).toThrow(HttpParseError);
  });

  it('never reads past the end it was given: a line is incomplete until its LF arrives', () => {
    const out: Parsed = { body: Buffer.alloc(0), pieces: 0 };
    const parser = parserInto(out);
    const buf = Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc');
    parser.feed(buf, 0, 15); // "HTTP/1.1 200 OK": the CRLF after it is there, but past `end`
    expect(out.status).toBeUndefined();
    parser.feed(buf, 15, buf.length);
    expect([out.status, out.body.toString()]).toEqual([200, 'abc']);
  });
});

describe('RequestParser', () => {
  interface Req {
    method?: string;
    target?: string;
    headers?: Readonly<Record<string, string>>;
    body: string;
    trailers?: Readonly<Record<string, string>>;
  }
  /** Feeds `text` one byte at a time (every state crosses a read boundary), then whole. */
  function parseReq(text: string): { byByte: Req; whole: Req; parser: RequestParser; rest: number } {
    const run = (cut: boolean) => {
      const out: Req = { body: '' };
      const parser = new RequestParser(
        {
          head: (method, target, headers) => Object.assign(out, { method, target, headers }),
          data: (buf, start, end) => (out.body += buf.toString('latin1', start, end)),
          end: (trailers) => (out.trailers = trailers),
        },
        1024,
      );
      const bytes = Buffer.from(text, 'latin1');
      let rest = 0;
      if (cut) {
        for (let i = 0; i < bytes.length && !parser.done; i++) parser.feed(bytes, i, i + 1);
      } else {
        rest = bytes.length - parser.feed(bytes, 0, bytes.length);
      }
      return { out, parser, rest };
    };
    const a = run(true);
    const b = run(false);
    return { byByte: a.out, whole: b.out, parser: b.parser, rest: b.rest };
  }

  it('a request line, headers and a Content-Length body; what follows is left for the next request', () => {
    const { whole, byByte, parser, rest } = parseReq('PUT /v1/blob/write?x=1 HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nX-A: 1\r\nx-a: 2\r\n\r\nhelloGET / HTTP/1.1\r\n\r\n');
    expect(whole).toEqual({ method: 'PUT', target: '/v1/blob/write?x=1', headers: { host: 'a', 'content-length': '5', 'x-a': '1, 2' }, body: 'hello', trailers: {} });
    expect(byByte).toEqual(whole);
    expect(parser.done && parser.reusable).toBe(true);
    expect(rest).toBe('GET / HTTP/1.1\r\n\r\n'.length);
  });

  it('a chunked body with extensions and trailers', () => {
    const { whole, byByte } = parseReq('PUT /w HTTP/1.1\r\ntransfer-encoding: chunked\r\n\r\n3;ext=1\r\nabc\r\n2\r\nde\r\n0\r\nx-sum: 9\r\n\r\n');
    expect(whole.body).toBe('abcde');
    expect(whole.trailers).toEqual({ 'x-sum': '9' });
    expect(byByte).toEqual(whole);
  });

  it('no Transfer-Encoding or Content-Length: no body, the request ends with its head', () => {
    const { whole, parser } = parseReq('GET /v1/health HTTP/1.1\r\n\r\n');
    expect(whole).toMatchObject({ method: 'GET', body: '', trailers: {} });
    expect(parser.done).toBe(true);
  });

  it('empty lines before the request line are skipped (RFC 9112 §2.2)', () => {
    expect(parseReq('\r\n\r\nGET / HTTP/1.1\r\n\r\n').whole.method).toBe('GET');
  });

  it('HTTP/1.0 and Connection: close are answered, then the connection closes', () => {
    expect(parseReq('GET / HTTP/1.0\r\n\r\n').parser.reusable).toBe(false);
    expect(parseReq('GET / HTTP/1.1\r\nconnection: keep-alive, Close\r\n\r\n').parser.reusable).toBe(false);
  });

  it.each([
    ['a malformed request line', 'GET /\r\n\r\n'],
    ['a method that is not a token', 'G(T / HTTP/1.1\r\n\r\n'],
    ['HTTP/2 on this parser', 'GET / HTTP/2.0\r\n\r\n'],
    ['both transfer-encoding and content-length (smuggling)', 'PUT / HTTP/1.1\r\ntransfer-encoding: chunked\r\ncontent-length: 3\r\n\r\n'],
    ['a transfer coding other than chunked', 'PUT / HTTP/1.1\r\ntransfer-encoding: gzip, chunked\r\n\r\n'],
    ['two different content-lengths', 'PUT / HTTP/1.1\r\ncontent-length: 3\r\ncontent-length: 4\r\n\r\n'],
    ['a negative content-length', 'PUT / HTTP/1.1\r\ncontent-length: -1\r\n\r\n'],
    ['whitespace before a colon', 'PUT / HTTP/1.1\r\nhost : a\r\n\r\n'],
    ['a bad chunk size', 'PUT / HTTP/1.1\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n'],
    ['a head over the limit', `GET / HTTP/1.1\r\nx: ${'a'.repeat(2000)}\r\n\r\n`],
  ])('refuses %s', (_what, text) => {
    expect(() => parseReq(text)).toThrow(HttpParseError);
  });

  it('a connection that ends mid-request is a cut request; one that never sent a byte is idle', () => {
    const p = new RequestParser({ head: () => undefined, data: () => undefined, end: () => undefined });
    expect(p.idle).toBe(true);
    p.feed(Buffer.from('PUT / HTTP/1.1\r\ncontent-length: 9\r\n\r\nabc'), 0, 40);
    expect(p.idle).toBe(false);
    expect(p.headDone).toBe(true);
    expect(() => p.eof()).toThrow('the connection closed before the request ended');
  });
});
