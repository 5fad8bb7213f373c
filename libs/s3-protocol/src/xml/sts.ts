import { escapeXml, formatTimestamp, XML_PROLOG } from './xml-writer';

/**
 * The STS query API's documents (AssumeRole, GetSessionToken, GetCallerIdentity and its errors), as the
 * AWS SDKs' and CLI's STS clients read them: `<{Action}Response>` holding `<{Action}Result>` and
 * `<ResponseMetadata><RequestId>`, in STS's namespace; errors are `<ErrorResponse>` documents.
 */
export const STS_XMLNS = 'https://sts.amazonaws.com/doc/2011-06-15/';

export interface StsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  readonly expiration: Date;
}

function response(action: string, result: string, requestId: string): string {
  return (
    `${XML_PROLOG}<${action}Response xmlns="${STS_XMLNS}"><${action}Result>${result}</${action}Result>` +
    `<ResponseMetadata><RequestId>${escapeXml(requestId)}</RequestId></ResponseMetadata></${action}Response>`
  );
}

function credentials(c: StsCredentials): string {
  return (
    `<Credentials><AccessKeyId>${escapeXml(c.accessKeyId)}</AccessKeyId><SecretAccessKey>${escapeXml(c.secretAccessKey)}</SecretAccessKey>` +
    `<SessionToken>${escapeXml(c.sessionToken)}</SessionToken><Expiration>${formatTimestamp(c.expiration)}</Expiration></Credentials>`
  );
}

export function buildAssumeRoleResponse(c: StsCredentials, user: { readonly arn: string; readonly assumedRoleId: string }, requestId: string): string {
  const assumed = `<AssumedRoleUser><AssumedRoleId>${escapeXml(user.assumedRoleId)}</AssumedRoleId><Arn>${escapeXml(user.arn)}</Arn></AssumedRoleUser>`;
  return response('AssumeRole', credentials(c) + assumed, requestId);
}

export function buildGetSessionTokenResponse(c: StsCredentials, requestId: string): string {
  return response('GetSessionToken', credentials(c), requestId);
}

export function buildGetCallerIdentityResponse(who: { readonly arn: string; readonly userId: string; readonly account: string }, requestId: string): string {
  return response(
    'GetCallerIdentity',
    `<Arn>${escapeXml(who.arn)}</Arn><UserId>${escapeXml(who.userId)}</UserId><Account>${escapeXml(who.account)}</Account>`,
    requestId,
  );
}

/** STS's error document: `Sender` for the caller's mistakes, `Receiver` for the service's. */
export function buildStsError(code: string, message: string, requestId: string, type: 'Sender' | 'Receiver' = 'Sender'): string {
  return (
    `${XML_PROLOG}<ErrorResponse xmlns="${STS_XMLNS}"><Error><Type>${type}</Type><Code>${escapeXml(code)}</Code>` +
    `<Message>${escapeXml(message)}</Message></Error><RequestId>${escapeXml(requestId)}</RequestId></ErrorResponse>`
  );
}
