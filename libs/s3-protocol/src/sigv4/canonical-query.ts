import { percentDecode, uriEncodeBytes } from './uri-encode';

/** One query parameter, decoded ('+' is a space) to a string for lookups, with its canonical encodings. */
export interface QueryParam {
  readonly name: string;
  readonly value: string;
  readonly encodedName: string;
  readonly encodedValue: string;
}

/** Splits a raw query string (without '?') into parameters; `a` and `a=` both have an empty value. */
export function parseRawQuery(rawQuery: string): QueryParam[] {
  if (rawQuery === '') return [];
  const params: QueryParam[] = [];
  for (const pair of rawQuery.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const rawName = eq < 0 ? pair : pair.slice(0, eq);
    const rawValue = eq < 0 ? '' : pair.slice(eq + 1);
    const name = canonicalDecoded(rawName);
    const value = name === undefined ? undefined : canonicalDecoded(rawValue);
    if (name !== undefined && value !== undefined) {
      // Already in canonical form (what SDKs send): no re-encoding needed.
      params.push({ name, value, encodedName: rawName, encodedValue: rawValue });
      continue;
    }
    const nameBytes = percentDecode(rawName, true);
    const valueBytes = percentDecode(rawValue, true);
    params.push({
      name: nameBytes.toString('utf8'),
      value: valueBytes.toString('utf8'),
      encodedName: uriEncodeBytes(nameBytes, false),
      encodedValue: uriEncodeBytes(valueBytes, false),
    });
  }
  return params;
}

/**
 * The canonical query string: every parameter URI-encoded, sorted by encoded name then encoded value
 * (byte order), joined as `name=value` with '&'. Empty values are kept (`acl=`). `exclude` drops a
 * parameter by its decoded name (presigned requests exclude `X-Amz-Signature`).
 */
export function canonicalQuery(params: readonly QueryParam[], exclude?: string): string {
  const kept = exclude === undefined ? [...params] : params.filter((p) => p.name !== exclude);
  kept.sort((a, b) => compare(a.encodedName, b.encodedName) || compare(a.encodedValue, b.encodedValue));
  return kept.map((p) => `${p.encodedName}=${p.encodedValue}`).join('&');
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const HEX_UPPER = /^[0-9A-F]$/;
const UNRESERVED = /^[A-Za-z0-9\-._~]$/;

/**
 * The decoded string when `raw` is already canonically encoded (unreserved characters literal, every
 * other byte as upper-case %XY of valid UTF-8), else undefined (the general path handles it).
 */
function canonicalDecoded(raw: string): string | undefined {
  let escaped = false;
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if ((c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2e || c === 0x5f || c === 0x7e) continue;
    if (c !== 0x25 || i + 2 >= raw.length || !HEX_UPPER.test(raw[i + 1]) || !HEX_UPPER.test(raw[i + 2])) return undefined;
    // An escaped unreserved character is not canonical (it would be re-encoded literally).
    if (UNRESERVED.test(String.fromCharCode(parseInt(raw.slice(i + 1, i + 3), 16)))) return undefined;
    escaped = true;
    i += 2;
  }
  if (!escaped) return raw;
  try {
    return decodeURIComponent(raw);
  } catch {
    return undefined;
  }
}
