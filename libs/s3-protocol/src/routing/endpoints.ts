/**
 * Every S3 request parses into one named `Endpoint` (Garage's idea). `name` is AWS's operation name:
 * it is the handler key, the metrics label, the log field and (later) the policy action.
 */
type Svc<N extends string> = { readonly name: N };
type Bkt<N extends string> = { readonly name: N; readonly bucket: string };
type Obj<N extends string> = { readonly name: N; readonly bucket: string; readonly key: string };
type Upl<N extends string> = Obj<N> & { readonly uploadId: string };
type Prt<N extends string> = Upl<N> & { readonly partNumber: number };

export type Endpoint =
  | Svc<'ListBuckets'>
  | Bkt<'CreateBucket'>
  | Bkt<'HeadBucket'>
  | Bkt<'DeleteBucket'>
  | Bkt<'GetBucketLocation'>
  | Bkt<'GetBucketVersioning'>
  | Bkt<'PutBucketVersioning'>
  | Bkt<'ListObjects'>
  | Bkt<'ListObjectsV2'>
  | Bkt<'ListObjectVersions'>
  | Bkt<'ListMultipartUploads'>
  | Bkt<'DeleteObjects'>
  | Obj<'GetObject'>
  | Obj<'HeadObject'>
  | Obj<'PutObject'>
  | Obj<'CopyObject'>
  | Obj<'DeleteObject'>
  | Obj<'CreateMultipartUpload'>
  | Upl<'CompleteMultipartUpload'>
  | Upl<'AbortMultipartUpload'>
  | Upl<'ListParts'>
  | Prt<'UploadPart'>
  | Prt<'UploadPartCopy'>
  // Tagging and GetObjectAttributes (issue 12)
  | Bkt<'GetBucketTagging'>
  | Bkt<'PutBucketTagging'>
  | Bkt<'DeleteBucketTagging'>
  | Obj<'GetObjectTagging'>
  | Obj<'PutObjectTagging'>
  | Obj<'DeleteObjectTagging'>
  | Obj<'GetObjectAttributes'>
  /** Browser POST upload: the key and everything else arrive as multipart/form-data fields. */
  | Bkt<'PostObject'>
  | Bkt<'PutBucketCors'>
  | Bkt<'GetBucketCors'>
  | Bkt<'DeleteBucketCors'>
  // ACLs, Object Ownership, Block Public Access (issue 12)
  | Bkt<'GetBucketAcl'>
  | Bkt<'PutBucketAcl'>
  | Obj<'GetObjectAcl'>
  | Obj<'PutObjectAcl'>
  | Bkt<'GetBucketOwnershipControls'>
  | Bkt<'PutBucketOwnershipControls'>
  | Bkt<'DeleteBucketOwnershipControls'>
  | Bkt<'GetPublicAccessBlock'>
  | Bkt<'PutPublicAccessBlock'>
  | Bkt<'DeletePublicAccessBlock'>
  // Bucket lifecycle (?lifecycle).
  | Bkt<'GetBucketLifecycleConfiguration'>
  | Bkt<'PutBucketLifecycleConfiguration'>
  | Bkt<'DeleteBucketLifecycle'>
  // Bucket policies (issue 13).
  | Bkt<'GetBucketPolicy'>
  | Bkt<'PutBucketPolicy'>
  | Bkt<'DeleteBucketPolicy'>
  | Bkt<'GetBucketPolicyStatus'>
  // Bucket default encryption (SSE-S3 only).
  | Bkt<'PutBucketEncryption'>
  | Bkt<'GetBucketEncryption'>
  | Bkt<'DeleteBucketEncryption'>
  // Object Lock: a bucket's configuration, a version's retention and legal hold.
  | Bkt<'GetObjectLockConfiguration'>
  | Bkt<'PutObjectLockConfiguration'>
  | Obj<'GetObjectRetention'>
  | Obj<'PutObjectRetention'>
  | Obj<'GetObjectLegalHold'>
  | Obj<'PutObjectLegalHold'>
  // Static website hosting: the configuration (served on the gateway's website port).
  | Bkt<'PutBucketWebsite'>
  | Bkt<'GetBucketWebsite'>
  | Bkt<'DeleteBucketWebsite'>
  // Bucket features we do not serve, read (and deleted) as S3 answers for a bucket without them.
  | Bkt<'GetBucketReplication'>
  | Bkt<'DeleteBucketReplication'>
  | Bkt<'GetBucketLogging'>
  | Bkt<'GetBucketNotificationConfiguration'>
  | Bkt<'GetBucketRequestPayment'>
  | Bkt<'GetBucketAccelerateConfiguration'>
  | Bkt<'PutBucketLogging'>
  | Bkt<'PutBucketNotificationConfiguration'>
  | Bkt<'PutBucketRequestPayment'>
  | Bkt<'PutBucketAccelerateConfiguration'>
  // Id-addressed configurations (analytics, inventory, metrics, Intelligent-Tiering): a bucket never has one.
  | Bkt<'GetBucketAnalyticsConfiguration'>
  | Bkt<'ListBucketAnalyticsConfigurations'>
  | Bkt<'DeleteBucketAnalyticsConfiguration'>
  | Bkt<'GetBucketInventoryConfiguration'>
  | Bkt<'ListBucketInventoryConfigurations'>
  | Bkt<'DeleteBucketInventoryConfiguration'>
  | Bkt<'GetBucketMetricsConfiguration'>
  | Bkt<'ListBucketMetricsConfigurations'>
  | Bkt<'DeleteBucketMetricsConfiguration'>
  | Bkt<'GetBucketIntelligentTieringConfiguration'>
  | Bkt<'ListBucketIntelligentTieringConfigurations'>
  | Bkt<'DeleteBucketIntelligentTieringConfiguration'>
  /** A known S3 sub-resource we do not serve: answered 501 NotImplemented. */
  | (Bkt<'Unsupported'> & { readonly key?: string; readonly operation: string });

export type EndpointName = Endpoint['name'];
export type EndpointOf<N extends EndpointName> = Extract<Endpoint, { name: N }>;

/** read: no state change; write: changes objects; owner: changes the bucket itself. */
export type AuthClass = 'read' | 'write' | 'owner';

export type Target = 'service' | 'bucket' | 'object';

export interface RouteRule {
  readonly method: 'GET' | 'HEAD' | 'PUT' | 'POST' | 'DELETE';
  readonly target: Target;
  /** Query parameters that must all be present. */
  readonly query?: readonly string[];
  /** A query parameter that must have this exact value. */
  readonly queryValue?: readonly [string, string];
  /** A header that must be present. */
  readonly header?: string;
  /** The media type the request's Content-Type must have (parameters such as `boundary` aside). */
  readonly contentType?: string;
  readonly name: Exclude<EndpointName, 'Unsupported'>;
  readonly auth: AuthClass;
}

/** Ordered: the first matching rule wins, so specific rules come before general ones. */
export const ROUTES: readonly RouteRule[] = [
  { method: 'GET', target: 'service', name: 'ListBuckets', auth: 'read' },

  // Tagging and GetObjectAttributes (issue 12): sub-resource rules, before the plain operations.
  { method: 'GET', target: 'bucket', query: ['tagging'], name: 'GetBucketTagging', auth: 'read' },
  { method: 'PUT', target: 'bucket', query: ['tagging'], name: 'PutBucketTagging', auth: 'owner' },
  { method: 'DELETE', target: 'bucket', query: ['tagging'], name: 'DeleteBucketTagging', auth: 'owner' },
  { method: 'GET', target: 'object', query: ['tagging'], name: 'GetObjectTagging', auth: 'read' },
  { method: 'PUT', target: 'object', query: ['tagging'], name: 'PutObjectTagging', auth: 'write' },
  { method: 'DELETE', target: 'object', query: ['tagging'], name: 'DeleteObjectTagging', auth: 'write' },
  { method: 'GET', target: 'object', query: ['attributes'], name: 'GetObjectAttributes', auth: 'read' },
  // Bucket CORS: before the general bucket rules (PUT bucket is CreateBucket, GET bucket ListObjects).
  { method: 'PUT', target: 'bucket', query: ['cors'], name: 'PutBucketCors', auth: 'owner' },
  { method: 'GET', target: 'bucket', query: ['cors'], name: 'GetBucketCors', auth: 'read' },
  { method: 'DELETE', target: 'bucket', query: ['cors'], name: 'DeleteBucketCors', auth: 'owner' },
  // ACLs, Object Ownership, Block Public Access (issue 12). Before the plain bucket/object rules they refine.
  { method: 'GET', target: 'bucket', query: ['acl'], name: 'GetBucketAcl', auth: 'read' },
  { method: 'PUT', target: 'bucket', query: ['acl'], name: 'PutBucketAcl', auth: 'owner' },
  { method: 'GET', target: 'object', query: ['acl'], name: 'GetObjectAcl', auth: 'read' },
  { method: 'PUT', target: 'object', query: ['acl'], name: 'PutObjectAcl', auth: 'write' },
  { method: 'GET', target: 'bucket', query: ['ownershipControls'], name: 'GetBucketOwnershipControls', auth: 'owner' },
  { method: 'PUT', target: 'bucket', query: ['ownershipControls'], name: 'PutBucketOwnershipControls', auth: 'owner' },
  { method: 'DELETE', target: 'bucket', query: ['ownershipControls'], name: 'DeleteBucketOwnershipControls', auth: 'owner' },
  { method: 'GET', target: 'bucket', query: ['publicAccessBlock'], name: 'GetPublicAccessBlock', auth: 'owner' },
  { method: 'PUT', target: 'bucket', query: ['publicAccessBlock'], name: 'PutPublicAccessBlock', auth: 'owner' },
  { method: 'DELETE', target: 'bucket', query: ['publicAccessBlock'], name: 'DeletePublicAccessBlock', auth: 'owner' },

  { method: 'GET', target: 'bucket', query: ['location'], name: 'GetBucketLocation', auth: 'read' },
  // Bucket lifecycle: before the plain bucket rules (ListObjects, CreateBucket, DeleteBucket).
  { method: 'GET', target: 'bucket', query: ['lifecycle'], name: 'GetBucketLifecycleConfiguration', auth: 'owner' },
  { method: 'PUT', target: 'bucket', query: ['lifecycle'], name: 'PutBucketLifecycleConfiguration', auth: 'owner' },
  { method: 'DELETE', target: 'bucket', query: ['lifecycle'], name: 'DeleteBucketLifecycle', auth: 'owner' },
  // Bucket policies (issue 13): before the plain bucket rules.
  { method: 'GET', target: 'bucket', query: ['policy'], name: 'GetBucketPolicy', auth: 'owner' },
  { method: 'PUT', target: 'bucket', query: ['policy'], name: 'PutBucketPolicy', auth: 'owner' },
  { method: 'DELETE', target: 'bucket', query: ['policy'], name: 'DeleteBucketPolicy', auth: 'owner' },
  { method: 'GET', target: 'bucket', query: ['policyStatus'], name: 'GetBucketPolicyStatus', auth: 'owner' },
  // Bucket default encryption: before the plain bucket rules.
  { method: 'PUT', target: 'bucket', query: ['encryption'], name: 'PutBucketEncryption', auth: 'owner' },
  { method: 'GET', target: 'bucket', query: ['encryption'], name: 'GetBucketEncryption', auth: 'owner' },
  { method: 'DELETE', target: 'bucket', query: ['encryption'], name: 'DeleteBucketEncryption', auth: 'owner' },
  // Object Lock: before the plain bucket and object rules. Reading a version's retention or legal hold is a
  // read; changing it a write (the bypass of a GOVERNANCE retention needs more: http/object-lock.ts).
  { method: 'GET', target: 'bucket', query: ['object-lock'], name: 'GetObjectLockConfiguration', auth: 'owner' },
  { method: 'PUT', target: 'bucket', query: ['object-lock'], name: 'PutObjectLockConfiguration', auth: 'owner' },
  { method: 'GET', target: 'object', query: ['retention'], name: 'GetObjectRetention', auth: 'read' },
  { method: 'PUT', target: 'object', query: ['retention'], name: 'PutObjectRetention', auth: 'write' },
  { method: 'GET', target: 'object', query: ['legal-hold'], name: 'GetObjectLegalHold', auth: 'read' },
  { method: 'PUT', target: 'object', query: ['legal-hold'], name: 'PutObjectLegalHold', auth: 'write' },
  // Static website hosting (the documents; the website itself is served on its own port).
  { method: 'PUT', target: 'bucket', query: ['website'], name: 'PutBucketWebsite', auth: 'owner' },
  { method: 'GET', target: 'bucket', query: ['website'], name: 'GetBucketWebsite', auth: 'owner' },
  { method: 'DELETE', target: 'bucket', query: ['website'], name: 'DeleteBucketWebsite', auth: 'owner' },
  // Features we do not serve: their reads answer "not configured" as S3 does for a bucket without them, and
  // deleting a configuration that cannot exist succeeds. Setting one is NotImplemented, except setting
  // logging, notifications, requester pays or acceleration off (what we are), which tools send to remove
  // them; the other Puts stay Unsupported.
  { method: 'GET', target: 'bucket', query: ['replication'], name: 'GetBucketReplication', auth: 'owner' },
  { method: 'DELETE', target: 'bucket', query: ['replication'], name: 'DeleteBucketReplication', auth: 'owner' },
  { method: 'GET', target: 'bucket', query: ['logging'], name: 'GetBucketLogging', auth: 'owner' },
  { method: 'GET', target: 'bucket', query: ['notification'], name: 'GetBucketNotificationConfiguration', auth: 'owner' },
  { method: 'GET', target: 'bucket', query: ['requestPayment'], name: 'GetBucketRequestPayment', auth: 'owner' },
  { method: 'GET', target: 'bucket', query: ['accelerate'], name: 'GetBucketAccelerateConfiguration', auth: 'owner' },
  { method: 'PUT', target: 'bucket', query: ['logging'], name: 'PutBucketLogging', auth: 'owner' },
  { method: 'PUT', target: 'bucket', query: ['notification'], name: 'PutBucketNotificationConfiguration', auth: 'owner' },
  { method: 'PUT', target: 'bucket', query: ['requestPayment'], name: 'PutBucketRequestPayment', auth: 'owner' },
  { method: 'PUT', target: 'bucket', query: ['accelerate'], name: 'PutBucketAccelerateConfiguration', auth: 'owner' },
  // Configurations a bucket may hold several of, by id: none here, so a Get or Delete names one that is not
  // there (404 NoSuchConfiguration) and a List is empty. Setting one (PUT) stays Unsupported; a DELETE
  // without an id too.
  { method: 'GET', target: 'bucket', query: ['analytics', 'id'], name: 'GetBucketAnalyticsConfiguration', auth: 'owner' },
  { method: 'GET', target: 'bucket', query: ['analytics'], name: 'ListBucketAnalyticsConfigurations', auth: 'owner' },
  { method: 'DELETE', target: 'bucket', query: ['analytics', 'id'], name: 'DeleteBucketAnalyticsConfiguration', auth: 'owner' },
  { method: 'GET', target: 'bucket', query: ['inventory', 'id'], name: 'GetBucketInventoryConfiguration', auth: 'owner' },
  { method: 'GET', target: 'bucket', query: ['inventory'], name: 'ListBucketInventoryConfigurations', auth: 'owner' },
  { method: 'DELETE', target: 'bucket', query: ['inventory', 'id'], name: 'DeleteBucketInventoryConfiguration', auth: 'owner' },
  { method: 'GET', target: 'bucket', query: ['metrics', 'id'], name: 'GetBucketMetricsConfiguration', auth: 'owner' },
  { method: 'GET', target: 'bucket', query: ['metrics'], name: 'ListBucketMetricsConfigurations', auth: 'owner' },
  { method: 'DELETE', target: 'bucket', query: ['metrics', 'id'], name: 'DeleteBucketMetricsConfiguration', auth: 'owner' },
  { method: 'GET', target: 'bucket', query: ['intelligent-tiering', 'id'], name: 'GetBucketIntelligentTieringConfiguration', auth: 'owner' },
  { method: 'GET', target: 'bucket', query: ['intelligent-tiering'], name: 'ListBucketIntelligentTieringConfigurations', auth: 'owner' },
  { method: 'DELETE', target: 'bucket', query: ['intelligent-tiering', 'id'], name: 'DeleteBucketIntelligentTieringConfiguration', auth: 'owner' },
  { method: 'GET', target: 'bucket', query: ['versioning'], name: 'GetBucketVersioning', auth: 'read' },
  { method: 'GET', target: 'bucket', query: ['uploads'], name: 'ListMultipartUploads', auth: 'read' },
  { method: 'GET', target: 'bucket', query: ['versions'], name: 'ListObjectVersions', auth: 'read' },
  { method: 'GET', target: 'bucket', queryValue: ['list-type', '2'], name: 'ListObjectsV2', auth: 'read' },
  { method: 'GET', target: 'bucket', name: 'ListObjects', auth: 'read' },
  { method: 'HEAD', target: 'bucket', name: 'HeadBucket', auth: 'read' },
  { method: 'PUT', target: 'bucket', query: ['versioning'], name: 'PutBucketVersioning', auth: 'owner' },
  { method: 'PUT', target: 'bucket', name: 'CreateBucket', auth: 'owner' },
  { method: 'DELETE', target: 'bucket', name: 'DeleteBucket', auth: 'owner' },
  { method: 'POST', target: 'bucket', query: ['delete'], name: 'DeleteObjects', auth: 'write' },

  { method: 'GET', target: 'object', query: ['uploadId'], name: 'ListParts', auth: 'read' },
  { method: 'GET', target: 'object', name: 'GetObject', auth: 'read' },
  { method: 'HEAD', target: 'object', name: 'HeadObject', auth: 'read' },
  { method: 'PUT', target: 'object', query: ['partNumber', 'uploadId'], header: 'x-amz-copy-source', name: 'UploadPartCopy', auth: 'write' },
  { method: 'PUT', target: 'object', query: ['partNumber', 'uploadId'], name: 'UploadPart', auth: 'write' },
  { method: 'PUT', target: 'object', header: 'x-amz-copy-source', name: 'CopyObject', auth: 'write' },
  { method: 'PUT', target: 'object', name: 'PutObject', auth: 'write' },
  { method: 'POST', target: 'object', query: ['uploads'], name: 'CreateMultipartUpload', auth: 'write' },
  { method: 'POST', target: 'object', query: ['uploadId'], name: 'CompleteMultipartUpload', auth: 'write' },
  { method: 'DELETE', target: 'object', query: ['uploadId'], name: 'AbortMultipartUpload', auth: 'write' },
  { method: 'DELETE', target: 'object', name: 'DeleteObject', auth: 'write' },

  // Browser POST uploads (after ?delete, which a form POST never carries).
  { method: 'POST', target: 'bucket', contentType: 'multipart/form-data', name: 'PostObject', auth: 'write' },
];

/**
 * S3 sub-resources (query parameters that select a different API). A request naming one that no rule
 * serves is NotImplemented, never silently treated as the plain operation.
 */
export const SUB_RESOURCES: ReadonlySet<string> = new Set([
  'accelerate', 'acl', 'analytics', 'attributes', 'cors', 'delete', 'encryption', 'intelligent-tiering',
  'inventory', 'legal-hold', 'lifecycle', 'location', 'logging', 'metadataConfiguration', 'metrics',
  'notification', 'object-lock', 'ownershipControls', 'policy', 'policyStatus', 'publicAccessBlock',
  'rename', 'replication', 'requestPayment', 'restore', 'retention', 'select', 'session', 'tagging',
  'torrent', 'uploadId', 'uploads', 'versioning', 'versions', 'website',
]);

export const AUTH_CLASS: Readonly<Record<EndpointName, AuthClass>> = Object.fromEntries([
  ...ROUTES.map((r) => [r.name, r.auth]),
  ['Unsupported', 'owner'],
]) as Record<EndpointName, AuthClass>;
