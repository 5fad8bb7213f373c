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
    const nameBytes = percentDecode(eq < 0 ? pair : pair.slice(0, eq), true);
    const valueBytes = percentDecode(eq < 0 ? '' : pair.slice(eq + 1), true);
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
