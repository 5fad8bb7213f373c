import type { MultipartUpload, ObjectSummary, Owner } from '@massive/contracts';
import type { ListedObject, ListedUpload, Owner as XmlOwner } from '@massive/s3-protocol';

export function xmlOwner(o: Owner): XmlOwner {
  return { ID: o.id, DisplayName: o.displayName };
}

export function listedObject(o: ObjectSummary, owner: Owner | undefined): ListedObject {
  return {
    Key: o.key,
    LastModified: new Date(o.lastModified),
    ETag: o.etag,
    ChecksumAlgorithm: o.checksumAlgorithm,
    ChecksumType: o.checksumType,
    Size: o.size,
    Owner: owner ? xmlOwner(owner) : undefined,
    StorageClass: 'STANDARD',
  };
}

export function listedUpload(u: MultipartUpload): ListedUpload {
  return {
    Key: u.key,
    UploadId: u.uploadId,
    Initiator: xmlOwner(u.owner),
    Owner: xmlOwner(u.owner),
    StorageClass: 'STANDARD',
    Initiated: new Date(u.initiated),
    ChecksumAlgorithm: u.checksumAlgorithm,
    ChecksumType: u.checksumType,
  };
}
