import type { ListObjectVersionsReq, ListObjectVersionsRes, VersionSummary } from '@massive/contracts';
import { num, opt, u64 } from '../codec';
import type { ListObjectVersionsRequest, ListObjectVersionsRequest__Output } from '../generated/massive/metadata/v1/ListObjectVersionsRequest';
import type { ListObjectVersionsResponse, ListObjectVersionsResponse__Output } from '../generated/massive/metadata/v1/ListObjectVersionsResponse';
import type { VersionSummary as PVersionSummary, VersionSummary__Output as PVersionSummaryOut } from '../generated/massive/metadata/v1/VersionSummary';
import { decodeAlgorithm, decodeChecksumType, encodeAlgorithm, encodeChecksumType } from './records';

/** ListObjectVersions request, response and entries ↔ their messages. */

export function encodeListVersionsReq(r: ListObjectVersionsReq): ListObjectVersionsRequest {
  return {
    bucket: r.bucket,
    ...opt('prefix', r.prefix),
    ...opt('delimiter', r.delimiter),
    ...opt('keyMarker', r.keyMarker),
    ...opt('versionIdMarker', r.versionIdMarker),
    maxKeys: r.maxKeys,
  };
}
export function decodeListVersionsReq(r: ListObjectVersionsRequest__Output): ListObjectVersionsReq {
  return {
    bucket: r.bucket,
    ...opt('prefix', r.prefix),
    ...opt('delimiter', r.delimiter),
    ...opt('keyMarker', r.keyMarker),
    ...opt('versionIdMarker', r.versionIdMarker),
    maxKeys: r.maxKeys,
  };
}

function encodeVersionSummary(v: VersionSummary): PVersionSummary {
  return {
    key: v.key,
    versionId: v.versionId,
    isLatest: v.isLatest,
    deleteMarker: v.deleteMarker,
    lastModified: u64(v.lastModified),
    size: u64(v.size),
    etag: v.etag,
    checksumAlgorithm: encodeAlgorithm(v.checksumAlgorithm),
    checksumType: encodeChecksumType(v.checksumType),
  };
}
function decodeVersionSummary(v: PVersionSummaryOut): VersionSummary {
  return {
    key: v.key,
    versionId: v.versionId,
    isLatest: v.isLatest,
    deleteMarker: v.deleteMarker,
    lastModified: num(v.lastModified),
    size: num(v.size),
    etag: v.etag,
    ...opt('checksumAlgorithm', decodeAlgorithm(v.checksumAlgorithm)),
    ...opt('checksumType', decodeChecksumType(v.checksumType)),
  };
}

export function encodeListVersionsRes(r: ListObjectVersionsRes): ListObjectVersionsResponse {
  return {
    versions: r.versions.map(encodeVersionSummary),
    commonPrefixes: [...r.commonPrefixes],
    isTruncated: r.isTruncated,
    ...opt('nextKeyMarker', r.nextKeyMarker),
    ...opt('nextVersionIdMarker', r.nextVersionIdMarker),
  };
}
export function decodeListVersionsRes(r: ListObjectVersionsResponse__Output): ListObjectVersionsRes {
  return {
    versions: r.versions.map(decodeVersionSummary),
    commonPrefixes: r.commonPrefixes,
    isTruncated: r.isTruncated,
    ...opt('nextKeyMarker', r.nextKeyMarker),
    ...opt('nextVersionIdMarker', r.nextVersionIdMarker),
  };
}
