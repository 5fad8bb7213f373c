import { S3Error } from '@massive/s3-protocol';

export const MAX_LIST_KEYS = 1000;

/** Parses max-keys / max-uploads / max-parts: default 1000, negative or non-numeric → InvalidArgument, capped at 1000. */
export function parseMaxKeys(query: URLSearchParams, name: string, cap = MAX_LIST_KEYS): number {
  const raw = query.get(name);
  if (raw === null || raw === '') return cap;
  if (!/^\d+$/.test(raw)) {
    throw new S3Error('InvalidArgument', `Provided ${name} not an integer or within integer range`, { ArgumentName: name, ArgumentValue: raw });
  }
  return Math.min(Number(raw), cap);
}

export function parseEncodingType(query: URLSearchParams): 'url' | undefined {
  const v = query.get('encoding-type');
  if (v === null) return undefined;
  if (v.toLowerCase() !== 'url') throw new S3Error('InvalidArgument', 'Invalid Encoding Method specified in Request', { ArgumentName: 'encoding-type', ArgumentValue: v });
  return 'url';
}

/** ListObjectsV2 continuation tokens: opaque to clients, the resume key inside. */
export function encodeContinuationToken(marker: string): string {
  return Buffer.from('1' + marker, 'utf8').toString('base64url');
}

export function decodeContinuationToken(token: string): string {
  const s = /^[A-Za-z0-9_-]*$/.test(token) ? Buffer.from(token, 'base64url').toString('utf8') : '';
  if (!s.startsWith('1')) {
    throw new S3Error('InvalidArgument', 'The continuation token provided is incorrect', { ArgumentName: 'continuation-token' });
  }
  return s.slice(1);
}
