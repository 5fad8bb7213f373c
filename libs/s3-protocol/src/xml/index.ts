// S3 XML documents: typed builders (one file per response document) and strict parsers for request bodies.
export { XML_PROLOG, S3_XMLNS, PIECE_CHARS, escapeXml, quoteETag, formatTimestamp, type XmlPieces } from './xml-writer';
export type { ChecksumAlgorithm, ChecksumType, Checksums, EncodingType, Owner } from './xml-types';
export { s3UrlEncode, s3UrlEncodeOpt } from './s3-url-encode';

export { buildError, buildS3ErrorXml, type ErrorDocument, type ErrorContext } from './error-document';
export { buildListAllMyBucketsResult, buildListAllMyBucketsResultPieces, type ListAllMyBucketsResultInput, type ListedBucket } from './list-all-my-buckets-result';
export { buildLocationConstraint, type LocationConstraintInput } from './location-constraint';
export { buildListBucketResult, buildListBucketResultPieces, urlEncodeListBucketResult, type ListBucketResultInput, type ListedObject } from './list-bucket-result';
export { buildListBucketResultV2, buildListBucketResultV2Pieces, urlEncodeListBucketResultV2, type ListBucketResultV2Input } from './list-bucket-result-v2';
export { buildInitiateMultipartUploadResult, type InitiateMultipartUploadResultInput } from './initiate-multipart-upload-result';
export { buildCompleteMultipartUploadResult, type CompleteMultipartUploadResultInput } from './complete-multipart-upload-result';
export { buildCopyObjectResult, type CopyObjectResultInput } from './copy-object-result';
export { buildCopyPartResult, type CopyPartResultInput } from './copy-part-result';
export { buildListPartsResult, buildListPartsResultPieces, type ListPartsResultInput, type ListedPart } from './list-parts-result';
export {
  buildListMultipartUploadsResult,
  buildListMultipartUploadsResultPieces,
  urlEncodeListMultipartUploadsResult,
  type ListMultipartUploadsResultInput,
  type ListedUpload,
} from './list-multipart-uploads-result';
export {
  buildListVersionsResult,
  buildListVersionsResultPieces,
  urlEncodeListVersionsResult,
  type ListVersionsResultInput,
  type ListedVersion,
  type ListedDeleteMarker,
} from './list-versions-result';
export { buildVersioningConfiguration, parseVersioningConfiguration, type VersioningConfiguration } from './versioning-configuration';
export { buildPostResponse, type PostResponseInput } from './post-response';
export { buildDeleteResult, buildDeleteResultPieces, type DeleteResultInput, type DeletedEntry, type DeleteErrorEntry } from './delete-result';

export { isBlankBody } from './xml-reader';
export { parseCreateBucketConfiguration, type CreateBucketConfiguration } from './create-bucket-configuration';
export { parseCompleteMultipartUpload, MAX_PART_NUMBER, type CompleteMultipartUpload, type CompletedPart } from './complete-multipart-upload';
export { parseDelete, MAX_DELETE_OBJECTS, type Delete, type ObjectIdentifier } from './delete';
export { buildTagging, parseTagging, type Tagging } from './tagging';
export {
  buildGetObjectAttributesResponse,
  type GetObjectAttributesResponseInput,
  type AttributesObjectParts,
  type AttributesPart,
} from './get-object-attributes-response';
export { parseCorsConfiguration, buildCorsConfiguration, MAX_CORS_RULES } from './cors-configuration';
export { buildBucketEncryption, parseBucketEncryption, type BucketEncryption } from './bucket-encryption';
export { buildAccessControlPolicy, parseAccessControlPolicy, type AccessControlPolicy } from './access-control-policy';
export { buildOwnershipControls, parseOwnershipControls, isObjectOwnership, OBJECT_OWNERSHIPS, type ObjectOwnership } from './ownership-controls';
export { buildPublicAccessBlock, parsePublicAccessBlock, type PublicAccessBlockConfiguration } from './public-access-block';
export {
  buildLifecycleConfiguration,
  parseLifecycleConfiguration,
  MAX_LIFECYCLE_RULES,
  type LifecycleConfigurationDoc,
  type LifecycleRuleDoc,
  type LifecycleFilterDoc,
  type LifecycleTagDoc,
} from './lifecycle-configuration';
export {
  buildWebsiteConfiguration,
  parseWebsiteConfiguration,
  isWebsiteConfiguration,
  MAX_WEBSITE_ROUTING_RULES,
  type WebsiteConfiguration,
  type WebsiteProtocol,
  type WebsiteRedirect,
  type WebsiteRoutingRule,
} from './website-configuration';
export { buildPolicyStatus } from './policy-status';
export { buildBucketLogging, parseBucketLogging, type BucketLogging, type LogKeyFormat } from './bucket-logging';
export {
  buildAccelerateConfiguration,
  buildEmptyConfigurationList,
  CONFIGURATION_LIST_ROOTS,
  type ConfigurationFamily,
  buildNotificationConfiguration,
  buildRequestPaymentConfiguration,
  parseAccelerateConfiguration,
  parseNotificationConfiguration,
  parseRequestPaymentConfiguration,
} from './unconfigured-features';
export * from './object-lock';
export {
  buildAssumeRoleResponse,
  buildGetCallerIdentityResponse,
  buildGetSessionTokenResponse,
  buildStsError,
  STS_XMLNS,
  type StsCredentials,
} from './sts';
