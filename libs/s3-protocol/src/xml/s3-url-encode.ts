/**
 * `encoding-type=url`: the encoding S3 applies to keys, prefixes, delimiters and markers in listing responses,
 * so that keys holding characters XML 1.0 cannot carry still reach the client intact.
 *
 * The UTF-8 bytes of every character outside `A-Z a-z 0-9 - _ . * /` become `%XX` (upper-case hex), a space
 * included: `a b.txt` → `a%20b.txt`, `a+b.txt` → `a%2Bb.txt`, `100%.csv` → `100%25.csv`, `~` → `%7E`,
 * `한/x` → `%ED%95%9C/x`. That is what AWS answers and what the S3 conformance suites check (`quux ab/` →
 * `quux%20ab/`); a `+` for a space (HTML-form encoding, MinIO's choice) decodes wrongly with
 * decodeURIComponent, while `%20` decodes right with either decoder.
 *
 * Which fields AWS encodes: ListObjects `Delimiter, Marker, Prefix, NextMarker, Key`; ListObjectsV2 `Delimiter,
 * Prefix, Key, StartAfter`; ListMultipartUploads `Delimiter, KeyMarker, Prefix, NextKeyMarker, Key`; and in all
 * of them `CommonPrefixes/Prefix`. The `urlEncode…` helpers beside each builder apply exactly that list.
 */
const KEEP = /^[A-Za-z0-9\-_.*/]*$/;
const HEX = '0123456789ABCDEF';

/** Byte → its encoded form, built once. */
const TABLE: readonly string[] = Array.from({ length: 256 }, (_, b) => {
  const c = String.fromCharCode(b);
  if (b < 0x80 && /[A-Za-z0-9\-_.*/]/.test(c)) return c;
  return `%${HEX[b >> 4]}${HEX[b & 15]}`;
});

export function s3UrlEncode(value: string): string {
  if (KEEP.test(value)) return value;
  // Buffer.from writes a lone surrogate as U+FFFD (EF BF BD), so this never throws, unlike encodeURIComponent.
  const bytes = Buffer.from(value, 'utf8');
  let out = '';
  for (let i = 0; i < bytes.length; i++) out += TABLE[bytes[i]];
  return out;
}

/** `s3UrlEncode` that passes `undefined` through, for optional fields. */
export function s3UrlEncodeOpt(value: string | undefined): string | undefined {
  return value === undefined ? undefined : s3UrlEncode(value);
}
