import type { VersionSummary } from '@massive/contracts';
import {
  buildListVersionsResultPieces,
  S3Error,
  urlEncodeListVersionsResult,
  type ListedDeleteMarker,
  type ListedVersion,
  type ListVersionsResultInput,
  type Owner,
} from '@massive/s3-protocol';
import { parseEncodingType, parseMaxKeys } from '../../http/list-params';
import { xmlOwner } from '../../http/listed';
import { xmlResponse } from '../../http/xml-response';
import type { Handler } from '../../types';

/** ListObjectVersions: versions and delete markers by key, newest first within a key, one snapshot per page. */
export const listObjectVersions: Handler<'ListObjectVersions'> = async (ep, req, deps) => {
  const q = req.query;
  const maxKeys = parseMaxKeys(q, 'max-keys');
  const encodingType = parseEncodingType(q);
  const prefix = q.get('prefix') ?? '';
  const delimiter = q.get('delimiter') || undefined;
  const keyMarker = q.get('key-marker') ?? '';
  const versionIdMarker = q.get('version-id-marker') ?? '';
  if (versionIdMarker !== '' && keyMarker === '') {
    throw new S3Error('InvalidArgument', 'A version-id marker cannot be specified without a key marker.', {
      ArgumentName: 'version-id-marker',
      ArgumentValue: versionIdMarker,
    });
  }
  const page = await deps.metadata.listObjectVersions(
    {
      bucket: ep.bucket,
      prefix,
      ...(delimiter !== undefined && { delimiter }),
      ...(keyMarker !== '' && { keyMarker }),
      ...(versionIdMarker !== '' && { versionIdMarker }),
      maxKeys,
    },
    req.ctx,
  );
  const owner = xmlOwner(req.owner);
  const doc: ListVersionsResultInput = {
    Name: ep.bucket,
    Prefix: prefix,
    KeyMarker: keyMarker,
    VersionIdMarker: versionIdMarker,
    ...(page.isTruncated && { NextKeyMarker: page.nextKeyMarker, NextVersionIdMarker: page.nextVersionIdMarker }),
    MaxKeys: maxKeys,
    Delimiter: delimiter,
    IsTruncated: page.isTruncated,
    Entries: page.versions.map((v) => listedEntry(v, owner)),
    CommonPrefixes: page.commonPrefixes,
  };
  return xmlResponse(buildListVersionsResultPieces(encodingType ? urlEncodeListVersionsResult(doc) : doc));
};

function listedEntry(v: VersionSummary, owner: Owner | undefined): ListedVersion | ListedDeleteMarker {
  const common = { Key: v.key, VersionId: v.versionId, IsLatest: v.isLatest, LastModified: new Date(v.lastModified), Owner: owner };
  if (v.deleteMarker) return { kind: 'DeleteMarker', ...common };
  return {
    kind: 'Version',
    ...common,
    ETag: v.etag,
    ChecksumAlgorithm: v.checksumAlgorithm,
    ChecksumType: v.checksumType,
    Size: v.size,
    StorageClass: 'STANDARD',
  };
}
