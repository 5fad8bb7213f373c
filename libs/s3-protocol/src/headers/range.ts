import { S3Error } from '../errors';

export interface ResolvedRange {
  /** inclusive */
  readonly start: number;
  /** inclusive */
  readonly end: number;
}

/**
 * Resolves a `Range` header against an object size, as S3 does: one range only (`bytes=a-b`, `bytes=a-`,
 * `bytes=-n`); a header S3 cannot parse is ignored (whole object); a syntactically valid range that
 * cannot be satisfied is 416 InvalidRange with `Content-Range: bytes *\/size`.
 */
export function resolveRange(header: string | undefined, size: number): ResolvedRange | undefined {
  if (header === undefined) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  const unsatisfiable = () =>
    new S3Error('InvalidRange', undefined, { RangeRequested: header, ActualObjectSize: String(size) }, {
      'Content-Range': `bytes */${size}`,
    });
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0 || size === 0) throw unsatisfiable();
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  if (m[2] !== '' && Number(m[2]) < start) return undefined;
  if (start >= size) throw unsatisfiable();
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  return { start, end };
}
