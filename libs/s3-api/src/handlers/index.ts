import type { EndpointName } from '@massive/s3-protocol';
import type { Handler } from '../types';
import { createBucket } from './bucket/create-bucket';
import { deleteBucket } from './bucket/delete-bucket';
import { getBucketLocation } from './bucket/get-bucket-location';
import { getBucketVersioning } from './bucket/get-bucket-versioning';
import { headBucket } from './bucket/head-bucket';
import { listBuckets } from './bucket/list-buckets';
import { listObjects } from './bucket/list-objects';
import { listObjectsV2 } from './bucket/list-objects-v2';
import { listObjectVersions } from './bucket/list-object-versions';
import { putBucketVersioning } from './bucket/put-bucket-versioning';
import { copyObject } from './object/copy-object';
import { deleteObject } from './object/delete-object';
import { deleteObjects } from './object/delete-objects';
import { getObject } from './object/get-object';
import { headObject } from './object/head-object';
import { putObject } from './object/put-object';
import { abortMultipartUpload } from './multipart/abort-multipart-upload';
import { completeMultipartUpload } from './multipart/complete-multipart-upload';
import { createMultipartUpload } from './multipart/create-multipart-upload';
import { listMultipartUploads } from './multipart/list-multipart-uploads';
import { listParts } from './multipart/list-parts';
import { uploadPart } from './multipart/upload-part';
import { uploadPartCopy } from './multipart/upload-part-copy';
import { deleteBucketLifecycle } from './lifecycle/delete-bucket-lifecycle';
import { getBucketLifecycleConfiguration } from './lifecycle/get-bucket-lifecycle-configuration';
import { putBucketLifecycleConfiguration } from './lifecycle/put-bucket-lifecycle-configuration';

type HandlerTable = { readonly [N in EndpointName]?: Handler<N> };

/** Endpoint name → handler. A missing entry (Unsupported) answers NotImplemented. */
export const HANDLERS = {
  ListBuckets: listBuckets,
  CreateBucket: createBucket,
  HeadBucket: headBucket,
  DeleteBucket: deleteBucket,
  GetBucketLocation: getBucketLocation,
  GetBucketVersioning: getBucketVersioning,
  PutBucketVersioning: putBucketVersioning,
  ListObjects: listObjects,
  ListObjectsV2: listObjectsV2,
  ListObjectVersions: listObjectVersions,
  DeleteObjects: deleteObjects,
  GetObject: getObject,
  HeadObject: headObject,
  PutObject: putObject,
  CopyObject: copyObject,
  DeleteObject: deleteObject,
  CreateMultipartUpload: createMultipartUpload,
  UploadPart: uploadPart,
  UploadPartCopy: uploadPartCopy,
  CompleteMultipartUpload: completeMultipartUpload,
  AbortMultipartUpload: abortMultipartUpload,
  ListParts: listParts,
  ListMultipartUploads: listMultipartUploads,
  GetBucketLifecycleConfiguration: getBucketLifecycleConfiguration,
  PutBucketLifecycleConfiguration: putBucketLifecycleConfiguration,
  DeleteBucketLifecycle: deleteBucketLifecycle,
} satisfies HandlerTable as HandlerTable;
