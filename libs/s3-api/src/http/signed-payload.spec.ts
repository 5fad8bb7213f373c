import type { IncomingMessage } from 'node:http';
import { S3Error, type PayloadMode } from '@massive/s3-protocol';
import { refuseUnsignedPayload } from './signed-payload';

function req(headers: Record<string, string>, tls = false): IncomingMessage {
  return { headers, socket: tls ? { encrypted: true } : {} } as unknown as IncomingMessage;
}

function verdict(mode: PayloadMode, headers: Record<string, string>, tls = false): string {
  try {
    refuseUnsignedPayload(req(headers, tls), mode);
    return 'accepted';
  } catch (e) {
    return e instanceof S3Error ? `${e.code} ${e.status}` : String(e);
  }
}

describe('refuseUnsignedPayload (MASSIVE_REQUIRE_SIGNED_PAYLOAD=true)', () => {
  const body = { 'content-length': '5' };
  it.each<[PayloadMode, Record<string, string>, boolean, string]>([
    ['unsigned', body, false, 'AccessDenied 403'],
    ['streaming-unsigned-trailer', { 'content-length': '40' }, false, 'AccessDenied 403'],
    ['unsigned', { 'transfer-encoding': 'chunked' }, false, 'AccessDenied 403'],
    ['unsigned', body, true, 'accepted'],
    ['streaming-unsigned-trailer', body, true, 'accepted'],
    ['unsigned', {}, false, 'accepted'],
    ['unsigned', { 'content-length': '0' }, false, 'accepted'],
    ['sha256', body, false, 'accepted'],
    ['streaming-signed', body, false, 'accepted'],
    ['streaming-signed-trailer', body, false, 'accepted'],
  ])('%s with %j, TLS %s: %s', (mode, headers, tls, want) => {
    expect(verdict(mode, headers, tls)).toBe(want);
  });
});
