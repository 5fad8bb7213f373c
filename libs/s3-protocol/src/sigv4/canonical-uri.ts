import { percentDecode, uriEncodeBytes } from './uri-encode';

/** Paths made only of unreserved characters and '/' are their own canonical form (the common case). */
const ALREADY_CANONICAL = /^[A-Za-z0-9\-._~/]*$/;

/**
 * The canonical URI for S3: the raw request path exactly as sent (no dot-segment or '//' normalisation,
 * no double encoding), each '/'-separated segment decoded and re-encoded byte by byte, so `%7E` becomes
 * `~`, `+` becomes `%2B`, and an encoded slash `%2F` stays `%2F` inside its segment. Empty path is '/'.
 */
export function canonicalUri(rawPath: string): string {
  if (rawPath === '') return '/';
  if (ALREADY_CANONICAL.test(rawPath)) return rawPath;
  return rawPath
    .split('/')
    .map((segment) => uriEncodeBytes(percentDecode(segment, false), false))
    .join('/');
}
