import { S3Error } from '../errors';
import { assertContainer, childrenByName, leafText, malformedXml, parseXmlBoolean, readXmlDocument, type XmlElement } from './xml-reader';
import { XmlWriter } from './xml-writer';

/**
 * A bucket's default encryption (PutBucketEncryption's body, GetBucketEncryption's answer):
 * `<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm/><KMSMasterKeyID/>?
 * </ApplyServerSideEncryptionByDefault><BucketKeyEnabled/>?</Rule></ServerSideEncryptionConfiguration>`.
 *
 * Validated in AWS's order, with AWS's codes (captured from S3 by LocalStack's validated snapshots, 2026-02):
 * no Rule or several Rules, a missing or unknown SSEAlgorithm, unknown or repeated elements are MalformedXML;
 * a KMSMasterKeyID beside AES256 is InvalidArgument. Only then is what this service cannot do refused, so a
 * client learns of a bad document before it learns of a missing feature: DSSE-KMS (aws:kms:dsse) and
 * BlockedEncryptionTypes (it selects which client-chosen encryptions S3 refuses; SSE-C is always refused
 * here and cannot be unblocked) are NotImplemented, never stored as if they applied. As S3, a
 * KMSMasterKeyID is not checked here: a key that does not exist fails the writes that use it.
 */
export interface BucketEncryption {
  /** SSE-S3 or SSE-KMS. */
  readonly SSEAlgorithm: 'AES256' | 'aws:kms';
  /** aws:kms: the key, as sent (id, alias or ARN); absent: the default key. */
  readonly KMSMasterKeyID?: string;
  /** As sent; absent when the rule had none. Under SSE-KMS, objects inherit it unless their request says. */
  readonly BucketKeyEnabled?: boolean;
}

/** The algorithms S3 accepts as a general purpose bucket's default; anything else is MalformedXML. */
const SSE_ALGORITHMS: ReadonlySet<string> = new Set(['AES256', 'aws:kms', 'aws:kms:dsse']);
/** S3's own message, word for word. */
const KMS_KEY_WITHOUT_KMS = 'a KMSMasterKeyID is not applicable if the default sse algorithm is not aws:kms or aws:kms:dsse';
const BLOCKED_ENCRYPTION_TYPES = new Set(['NONE', 'SSE-C']);

export function parseBucketEncryption(body: string | Uint8Array): BucketEncryption {
  const root = readXmlDocument(body, 'ServerSideEncryptionConfiguration');
  assertContainer(root);
  if (root.children.length !== 1 || root.children[0].name !== 'Rule') throw malformedXml();
  const rule = childrenByName(root.children[0], ['ApplyServerSideEncryptionByDefault', 'BucketKeyEnabled', 'BlockedEncryptionTypes']);
  const byDefault = rule.get('ApplyServerSideEncryptionByDefault');
  if (byDefault === undefined) throw malformedXml();
  const sse = childrenByName(byDefault, ['SSEAlgorithm', 'KMSMasterKeyID']);
  const algorithmEl = sse.get('SSEAlgorithm');
  if (algorithmEl === undefined) throw malformedXml();
  const algorithm = leafText(algorithmEl).trim();
  if (!SSE_ALGORITHMS.has(algorithm)) throw malformedXml();
  const kmsKey = sse.get('KMSMasterKeyID');
  const kmsKeyId = kmsKey === undefined ? undefined : leafText(kmsKey).trim();
  const bucketKeyEl = rule.get('BucketKeyEnabled');
  const bucketKey = bucketKeyEl === undefined ? undefined : parseXmlBoolean(leafText(bucketKeyEl));
  const blocked = rule.get('BlockedEncryptionTypes');
  if (blocked !== undefined) checkBlockedEncryptionTypes(blocked);

  if (algorithm === 'AES256' && kmsKey !== undefined) {
    throw new S3Error('InvalidArgument', KMS_KEY_WITHOUT_KMS, { ArgumentName: 'ApplyServerSideEncryptionByDefault' });
  }
  if (algorithm === 'aws:kms:dsse') throw new S3Error('NotImplemented', 'DSSE-KMS is not supported by this service; use aws:kms or AES256');
  if (blocked !== undefined) throw new S3Error('NotImplemented', 'BlockedEncryptionTypes is not supported by this service');
  return {
    SSEAlgorithm: algorithm === 'aws:kms' ? 'aws:kms' : 'AES256',
    ...(kmsKeyId !== undefined && kmsKeyId !== '' && { KMSMasterKeyID: kmsKeyId }),
    ...(bucketKey !== undefined && { BucketKeyEnabled: bucketKey }),
  };
}

/** `<BlockedEncryptionTypes><EncryptionType>NONE|SSE-C</EncryptionType>+</BlockedEncryptionTypes>`, checked as S3's schema. */
function checkBlockedEncryptionTypes(el: XmlElement): void {
  assertContainer(el);
  if (el.children.length === 0) throw malformedXml();
  for (const c of el.children) {
    if (c.name !== 'EncryptionType' || !BLOCKED_ENCRYPTION_TYPES.has(leafText(c).trim())) throw malformedXml();
  }
}

/** GetBucketEncryption's answer: the one rule, with BucketKeyEnabled when the configuration has it. */
export function buildBucketEncryption(c: BucketEncryption): string {
  const w = new XmlWriter('ServerSideEncryptionConfiguration')
    .open('Rule')
    .open('ApplyServerSideEncryptionByDefault')
    .text('SSEAlgorithm', c.SSEAlgorithm);
  if (c.KMSMasterKeyID !== undefined) w.text('KMSMasterKeyID', c.KMSMasterKeyID);
  w.close('ApplyServerSideEncryptionByDefault');
  if (c.BucketKeyEnabled !== undefined) w.bool('BucketKeyEnabled', c.BucketKeyEnabled);
  return w.close('Rule').end();
}
