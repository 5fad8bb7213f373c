const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Strict base64 decoding (Node's decoder silently skips bad characters): padded, canonical, and, when
 * `size` is given, exactly that many bytes. Undefined when the value does not qualify.
 */
export function decodeBase64Strict(value: string, size?: number): Buffer | undefined {
  if (!BASE64.test(value)) return undefined;
  const bytes = Buffer.from(value, 'base64');
  if (bytes.toString('base64') !== value) return undefined;
  if (size !== undefined && bytes.length !== size) return undefined;
  return bytes;
}
