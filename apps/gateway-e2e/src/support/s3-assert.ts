import { createHash } from 'node:crypto';
import { XMLParser } from 'fast-xml-parser';

/** What the SDK gives back for a service error: the S3 code as `name`, the status in `$metadata`. */
interface SdkServiceError {
  readonly name: string;
  readonly message: string;
  readonly Code?: string;
  readonly $metadata?: { readonly httpStatusCode?: number; readonly requestId?: string };
  readonly $response?: { readonly headers?: Record<string, string> };
}

/**
 * Awaits a request that must fail with this S3 error code and HTTP status; returns the error for more checks.
 * HEAD errors carry no body, so the SDK names them after the status (`NotFound`, `PreconditionFailed`, ...).
 */
export async function expectS3Error(p: Promise<unknown>, code: string, status: number): Promise<SdkServiceError> {
  let err: SdkServiceError;
  try {
    await p;
  } catch (e) {
    err = e as SdkServiceError;
    const got = { code: err.Code ?? err.name, status: err.$metadata?.httpStatusCode };
    if (got.code !== code || got.status !== status) {
      throw new Error(`expected S3 error ${code} (${status}), got ${got.code} (${got.status}): ${err.message}`);
    }
    return err;
  }
  throw new Error(`expected S3 error ${code} (${status}), but the request succeeded`);
}

/**
 * For answers without a body (HEAD errors, 304): the SDK cannot read an S3 code, so only the status is
 * checked, and that the SDK saw no error document.
 */
export async function expectBodylessError(p: Promise<unknown>, status: number): Promise<SdkServiceError> {
  try {
    await p;
  } catch (e) {
    const err = e as SdkServiceError;
    if (err.$metadata?.httpStatusCode !== status) {
      throw new Error(`expected HTTP ${status}, got ${err.$metadata?.httpStatusCode} (${err.name}): ${err.message}`);
    }
    expect(['Unknown', 'NotFound', 'NotModified', 'PreconditionFailed', 'Forbidden', 'BadRequest', 'RequestedRangeNotSatisfiable']).toContain(err.name);
    return err;
  }
  throw new Error(`expected HTTP ${status}, but the request succeeded`);
}

export function md5Hex(b: Buffer | Uint8Array | string): string {
  return createHash('md5').update(b).digest('hex');
}

export function md5Base64(b: Buffer | Uint8Array | string): string {
  return createHash('md5').update(b).digest('base64');
}

export function sha256Hex(b: Buffer | Uint8Array | string): string {
  return createHash('sha256').update(b).digest('hex');
}

/** Deterministic pseudo-random bytes (xorshift), so failures reproduce. */
export function patternBytes(n: number, seed = 1): Buffer {
  const out = Buffer.allocUnsafe(n);
  let x = (seed * 2654435761) >>> 0 || 1;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out.writeUInt32LE(x, i);
  }
  for (; i < n; i++) out[i] = (i * 31 + seed) & 0xff;
  return out;
}

/** Reads an SDK streaming body (GetObject) into one Buffer. */
export async function bodyBytes(body: unknown): Promise<Buffer> {
  if (!body) return Buffer.alloc(0);
  const b = body as { transformToByteArray?: () => Promise<Uint8Array> };
  if (typeof b.transformToByteArray === 'function') return Buffer.from(await b.transformToByteArray());
  const chunks: Buffer[] = [];
  for await (const c of body as AsyncIterable<Uint8Array>) chunks.push(Buffer.from(c));
  return Buffer.concat(chunks);
}

const parser = new XMLParser({ ignoreAttributes: true, parseTagValue: false, trimValues: false });

/** Parses an XML document into plain objects (text kept as strings). */
export function parseXml(xml: string): Record<string, unknown> {
  return parser.parse(xml) as Record<string, unknown>;
}

/**
 * Checks an S3 error document: `<Error>` with Code, Message, Resource and RequestId (matching the
 * x-amz-request-id header when given), and nothing that looks like a stack trace.
 */
export function expectErrorXml(xml: string, code: string, requestId?: string | null): Record<string, string> {
  expect(xml.startsWith('<?xml')).toBe(true);
  const doc = parseXml(xml);
  const e = doc['Error'] as Record<string, string> | undefined;
  expect(e).toBeDefined();
  expect(e!['Code']).toBe(code);
  expect(typeof e!['Message']).toBe('string');
  expect(e!['Message'].length).toBeGreaterThan(0);
  expect(e).toHaveProperty('Resource');
  expect(e!['RequestId']).toBeTruthy();
  if (requestId) expect(e!['RequestId']).toBe(requestId);
  expect(xml).not.toMatch(/\bat .+\.(js|ts):\d+/);
  expect(xml).not.toMatch(/node:internal|Error: /);
  return e!;
}
