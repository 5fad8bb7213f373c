import { S3Error } from '../errors';
import { assertContainer, leafText, malformedXml, readXmlDocument } from './xml-reader';
import { XmlWriter } from './xml-writer';

/**
 * PutBucketVersioning's body and GetBucketVersioning's answer:
 * `<VersioningConfiguration><Status>Enabled|Suspended</Status><MfaDelete>Enabled|Disabled</MfaDelete></VersioningConfiguration>`.
 */
export interface VersioningConfiguration {
  readonly Status?: 'Enabled' | 'Suspended';
  readonly MfaDelete?: 'Enabled' | 'Disabled';
}

/**
 * Strict parse: a Status other than Enabled/Suspended (or none) is IllegalVersioningConfigurationException,
 * as S3 answers; unknown elements are MalformedXML. Whether MFA Delete is accepted is the handler's call.
 */
export function parseVersioningConfiguration(body: string | Uint8Array): VersioningConfiguration & Pick<Required<VersioningConfiguration>, 'Status'> {
  const root = readXmlDocument(body, 'VersioningConfiguration');
  assertContainer(root);
  let status: string | undefined;
  let mfa: string | undefined;
  for (const el of root.children) {
    if (el.name === 'Status' && status === undefined) status = leafText(el).trim();
    else if (el.name === 'MfaDelete' && mfa === undefined) mfa = leafText(el).trim();
    else throw malformedXml();
  }
  if (status !== 'Enabled' && status !== 'Suspended') {
    throw new S3Error('IllegalVersioningConfigurationException', 'The Versioning element must be specified with a Status of Enabled or Suspended');
  }
  if (mfa !== undefined && mfa !== 'Enabled' && mfa !== 'Disabled') throw malformedXml();
  return mfa === undefined ? { Status: status } : { Status: status, MfaDelete: mfa };
}

/** A bucket whose versioning was never set answers an empty document (no Status). */
export function buildVersioningConfiguration(input: VersioningConfiguration): string {
  return new XmlWriter('VersioningConfiguration').optText('Status', input.Status).optText('MfaDelete', input.MfaDelete).end();
}
