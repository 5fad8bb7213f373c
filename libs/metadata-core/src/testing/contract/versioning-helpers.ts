import type { MetadataApi, VersionSummary } from '@massive/contracts';
import { ctx } from './fixtures';

/** Reads a whole ListObjectVersions listing of `bucket`, `maxKeys` at a time. */
export async function allVersions(api: MetadataApi, bucket: string, maxKeys = 1000, extra: { prefix?: string } = {}): Promise<VersionSummary[]> {
  const out: VersionSummary[] = [];
  let marker: { keyMarker?: string; versionIdMarker?: string } = {};
  for (;;) {
    const page = await api.listObjectVersions({ bucket, maxKeys, ...extra, ...marker }, ctx);
    out.push(...page.versions);
    if (!page.isTruncated) return out;
    marker = { ...opt('keyMarker', page.nextKeyMarker), ...opt('versionIdMarker', page.nextVersionIdMarker) };
  }
}

const opt = <K extends string>(k: K, v: string | undefined): { [P in K]?: string } => (v === undefined ? {} : ({ [k]: v } as { [P in K]?: string }));

/** What a listing shows, compactly: key, version id, flags. */
export const brief = (vs: readonly VersionSummary[]): string[] =>
  vs.map((v) => `${v.key}@${v.versionId}${v.isLatest ? ' latest' : ''}${v.deleteMarker ? ' marker' : ''}`);

export async function text(api: MetadataApi, bucket: string, key: string, versionId?: string): Promise<string> {
  const v = await api.getObject({ bucket, key, ...(versionId !== undefined && { versionId }) }, ctx);
  if (v.data.kind !== 'inline') throw new Error('expected inline data');
  return v.data.bytes.toString();
}

/** The ServiceError a promise rejects with. */
export async function errorOf(p: Promise<unknown>): Promise<{ code: string; detail?: Record<string, unknown> }> {
  try {
    await p;
  } catch (e) {
    return e as { code: string; detail?: Record<string, unknown> };
  }
  throw new Error('expected a rejection');
}
