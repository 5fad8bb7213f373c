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
// Tagging and GetObjectAttributes (issue 12)
import { deleteBucketTagging } from './tagging/delete-bucket-tagging';
import { deleteObjectTagging } from './tagging/delete-object-tagging';
import { getBucketTagging } from './tagging/get-bucket-tagging';
import { getObjectTagging } from './tagging/get-object-tagging';
import { putBucketTagging } from './tagging/put-bucket-tagging';
import { putObjectTagging } from './tagging/put-object-tagging';
import { getObjectAttributes } from './object/get-object-attributes';
import { postObject } from './object/post-object';
import { putBucketCors } from './bucket/put-bucket-cors';
import { getBucketCors } from './bucket/get-bucket-cors';
import { deleteBucketCors } from './bucket/delete-bucket-cors';
// ACLs, Object Ownership, Block Public Access (issue 12)
import { getBucketAcl } from './access/get-bucket-acl';
import { putBucketAcl } from './access/put-bucket-acl';
import { getObjectAcl } from './access/get-object-acl';
import { putObjectAcl } from './access/put-object-acl';
import { getBucketOwnershipControls } from './access/get-bucket-ownership-controls';
import { putBucketOwnershipControls } from './access/put-bucket-ownership-controls';
import { deleteBucketOwnershipControls } from './access/delete-bucket-ownership-controls';
import { getPublicAccessBlock } from './access/get-public-access-block';
import { putPublicAccessBlock } from './access/put-public-access-block';
import { deletePublicAccessBlock } from './access/delete-public-access-block';
import { deleteBucketLifecycle } from './lifecycle/delete-bucket-lifecycle';
import { getBucketLifecycleConfiguration } from './lifecycle/get-bucket-lifecycle-configuration';
import { putBucketLifecycleConfiguration } from './lifecycle/put-bucket-lifecycle-configuration';
// Bucket policies (issue 13)
import { getBucketPolicy } from './policy/get-bucket-policy';
import { putBucketPolicy } from './policy/put-bucket-policy';
import { deleteBucketPolicy } from './policy/delete-bucket-policy';
import { getBucketPolicyStatus } from './policy/get-bucket-policy-status';
import { putBucketEncryption } from './bucket/put-bucket-encryption';
import { getBucketEncryption } from './bucket/get-bucket-encryption';
import { deleteBucketEncryption } from './bucket/delete-bucket-encryption';
import {
  deleteBucketReplication,
  getBucketAnalyticsConfiguration,
  deleteBucketAnalyticsConfiguration,
  listBucketAnalyticsConfigurations,
  getBucketInventoryConfiguration,
  deleteBucketInventoryConfiguration,
  listBucketInventoryConfigurations,
  getBucketMetricsConfiguration,
  deleteBucketMetricsConfiguration,
  listBucketMetricsConfigurations,
  getBucketIntelligentTieringConfiguration,
  deleteBucketIntelligentTieringConfiguration,
  listBucketIntelligentTieringConfigurations,
  getBucketAccelerateConfiguration,
  getBucketNotificationConfiguration,
  getBucketReplication,
  getBucketRequestPayment,
  putBucketAccelerateConfiguration,
  putBucketNotificationConfiguration,
  putBucketRequestPayment,
} from './bucket/unconfigured-features';
import { deleteBucketWebsite, getBucketWebsite, putBucketWebsite } from './bucket/bucket-website';
import { getBucketLogging, putBucketLogging } from './bucket/bucket-logging';
import { getObjectLockConfiguration, putObjectLockConfiguration } from './lock/object-lock-configuration';
import { getObjectLegalHold, getObjectRetention, putObjectLegalHold, putObjectRetention } from './lock/object-retention';

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
  // Tagging and GetObjectAttributes (issue 12)
  GetBucketTagging: getBucketTagging,
  PutBucketTagging: putBucketTagging,
  DeleteBucketTagging: deleteBucketTagging,
  GetObjectTagging: getObjectTagging,
  PutObjectTagging: putObjectTagging,
  DeleteObjectTagging: deleteObjectTagging,
  GetObjectAttributes: getObjectAttributes,
  PostObject: postObject,
  PutBucketCors: putBucketCors,
  GetBucketCors: getBucketCors,
  DeleteBucketCors: deleteBucketCors,
  // ACLs, Object Ownership, Block Public Access (issue 12)
  GetBucketAcl: getBucketAcl,
  PutBucketAcl: putBucketAcl,
  GetObjectAcl: getObjectAcl,
  PutObjectAcl: putObjectAcl,
  GetBucketOwnershipControls: getBucketOwnershipControls,
  PutBucketOwnershipControls: putBucketOwnershipControls,
  DeleteBucketOwnershipControls: deleteBucketOwnershipControls,
  GetPublicAccessBlock: getPublicAccessBlock,
  PutPublicAccessBlock: putPublicAccessBlock,
  DeletePublicAccessBlock: deletePublicAccessBlock,
  GetBucketLifecycleConfiguration: getBucketLifecycleConfiguration,
  PutBucketLifecycleConfiguration: putBucketLifecycleConfiguration,
  DeleteBucketLifecycle: deleteBucketLifecycle,
  // Bucket policies (issue 13)
  GetBucketPolicy: getBucketPolicy,
  PutBucketPolicy: putBucketPolicy,
  DeleteBucketPolicy: deleteBucketPolicy,
  GetBucketPolicyStatus: getBucketPolicyStatus,
  PutBucketEncryption: putBucketEncryption,
  GetBucketEncryption: getBucketEncryption,
  DeleteBucketEncryption: deleteBucketEncryption,
  PutBucketWebsite: putBucketWebsite,
  GetBucketWebsite: getBucketWebsite,
  DeleteBucketWebsite: deleteBucketWebsite,
  GetBucketReplication: getBucketReplication,
  DeleteBucketReplication: deleteBucketReplication,
  GetObjectLockConfiguration: getObjectLockConfiguration,
  PutObjectLockConfiguration: putObjectLockConfiguration,
  GetObjectRetention: getObjectRetention,
  PutObjectRetention: putObjectRetention,
  GetObjectLegalHold: getObjectLegalHold,
  PutObjectLegalHold: putObjectLegalHold,
  GetBucketLogging: getBucketLogging,
  GetBucketNotificationConfiguration: getBucketNotificationConfiguration,
  GetBucketRequestPayment: getBucketRequestPayment,
  GetBucketAccelerateConfiguration: getBucketAccelerateConfiguration,
  PutBucketLogging: putBucketLogging,
  PutBucketNotificationConfiguration: putBucketNotificationConfiguration,
  PutBucketRequestPayment: putBucketRequestPayment,
  PutBucketAccelerateConfiguration: putBucketAccelerateConfiguration,
  GetBucketAnalyticsConfiguration: getBucketAnalyticsConfiguration,
  ListBucketAnalyticsConfigurations: listBucketAnalyticsConfigurations,
  DeleteBucketAnalyticsConfiguration: deleteBucketAnalyticsConfiguration,
  GetBucketInventoryConfiguration: getBucketInventoryConfiguration,
  ListBucketInventoryConfigurations: listBucketInventoryConfigurations,
  DeleteBucketInventoryConfiguration: deleteBucketInventoryConfiguration,
  GetBucketMetricsConfiguration: getBucketMetricsConfiguration,
  ListBucketMetricsConfigurations: listBucketMetricsConfigurations,
  DeleteBucketMetricsConfiguration: deleteBucketMetricsConfiguration,
  GetBucketIntelligentTieringConfiguration: getBucketIntelligentTieringConfiguration,
  ListBucketIntelligentTieringConfigurations: listBucketIntelligentTieringConfigurations,
  DeleteBucketIntelligentTieringConfiguration: deleteBucketIntelligentTieringConfiguration,
} satisfies HandlerTable as HandlerTable;
