/**
 * SigV4 URI encoding (RFC 3986): every byte of the UTF-8 form is percent-encoded as %XY (uppercase)
 * except the unreserved characters A-Z a-z 0-9 - . _ ~ (and '/' when `keepSlash`).
 */
const HEX = '0123456789ABCDEF';
const UNRESERVED = new Uint8Array(256);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~') UNRESERVED[c.charCodeAt(0)] = 1;
const SLASH = 0x2f;

export function uriEncodeBytes(bytes: Uint8Array, keepSlash: boolean): string {
  let out = '';
  for (const b of bytes) {
    if (UNRESERVED[b] === 1 || (keepSlash && b === SLASH)) out += String.fromCharCode(b);
    else out += '%' + HEX[b >> 4] + HEX[b & 15];
  }
  return out;
}

export function uriEncode(value: string, keepSlash: boolean): string {
  return uriEncodeBytes(Buffer.from(value, 'utf8'), keepSlash);
}

/**
 * Percent-decodes to bytes, never failing: a '%' not followed by two hex digits stays literal (S3 keys
 * may not be valid UTF-8 once decoded, so we decode to bytes, not to a string). With `plusIsSpace`,
 * '+' decodes to a space (form encoding, used for query strings).
 */
export function percentDecode(value: string, plusIsSpace: boolean): Buffer {
  if (!value.includes('%') && !(plusIsSpace && value.includes('+'))) return Buffer.from(value, 'utf8');
  const out: number[] = [];
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 0x25 && i + 2 < value.length && isHex(value.charCodeAt(i + 1)) && isHex(value.charCodeAt(i + 2))) {
      out.push(parseInt(value.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (c === 0x2b && plusIsSpace) {
      out.push(0x20);
    } else if (c < 0x80) {
      out.push(c);
    } else {
      // A non-ASCII character (or surrogate pair): take its UTF-8 bytes.
      const cp = value.codePointAt(i) ?? c;
      const ch = String.fromCodePoint(cp);
      for (const b of Buffer.from(ch, 'utf8')) out.push(b);
      i += ch.length - 1;
    }
  }
  return Buffer.from(out);
}

function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}
