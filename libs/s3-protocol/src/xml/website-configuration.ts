import { S3Error } from '../errors';
import { assertContainer, childrenByName, leafText, malformedXml, readXmlDocument, type XmlElement } from './xml-reader';
import { XmlWriter } from './xml-writer';

/**
 * A bucket's static website configuration (PutBucketWebsite's body, GetBucketWebsite's answer):
 * `<WebsiteConfiguration>` with either `<RedirectAllRequestsTo><HostName/><Protocol/>?</RedirectAllRequestsTo>`
 * alone, or `<IndexDocument><Suffix/></IndexDocument>`, `<ErrorDocument><Key/></ErrorDocument>`? and
 * `<RoutingRules><RoutingRule><Condition/>?<Redirect/></RoutingRule>{1,50}</RoutingRules>`?.
 *
 * Validated in AWS's order, with AWS's codes and words. First whatever breaks the schema is MalformedXML: unknown,
 * repeated or misplaced elements, an IndexDocument without Suffix, an ErrorDocument without Key, a
 * RedirectAllRequestsTo without HostName, an empty RoutingRules (AWS refuses `<RoutingRules/>`), a RoutingRule
 * without Redirect, a Redirect with nothing in it, an HTTP code that is not an integer. Then S3's own checks:
 * RedirectAllRequestsTo beside anything else, a missing IndexDocument and a bad Suffix or Key are InvalidArgument;
 * more than 50 rules, an empty Condition, both key replacements, a bad Protocol, a blank HostName and HTTP codes
 * S3 does not take are InvalidRequest. Empty strings are kept where S3 takes them: `<KeyPrefixEquals></KeyPrefixEquals>`
 * is a condition that matches every key, `<ReplaceKeyPrefixWith></ReplaceKeyPrefixWith>` strips the prefix.
 *
 * Sources (2026-12): LocalStack's validate_website_configuration; versitygw's s3response/website.go and its
 * integration tests; ceph s3-tests test_s3_website.py (S3's redirect codes, the protocol error); Ceph RGW's
 * rgw_xml_enc.cc; Scality Arsenal's website parser; a pytest suite run against S3 itself (RedirectAllRequestsTo
 * with RoutingRules; an empty KeyPrefixEquals); crossplane provider-aws#1156 (S3 answering MalformedXML to an
 * empty RoutingRules); aws-cdk#22541 (S3 answering MalformedXML to a non-numeric HttpRedirectCode).
 */
export type WebsiteProtocol = 'http' | 'https';

export interface WebsiteRedirect {
  readonly hostName?: string;
  readonly protocol?: WebsiteProtocol;
  /** 3xx as a string, e.g. "301", "302". */
  readonly httpRedirectCode?: string;
  readonly replaceKeyPrefixWith?: string;
  readonly replaceKeyWith?: string;
}

export interface WebsiteRoutingRule {
  readonly condition?: { readonly keyPrefixEquals?: string; readonly httpErrorCodeReturnedEquals?: string };
  readonly redirect: WebsiteRedirect;
}

export interface WebsiteConfiguration {
  readonly indexDocument?: { readonly suffix: string };
  readonly errorDocument?: { readonly key: string };
  readonly redirectAllRequestsTo?: { readonly hostName: string; readonly protocol?: WebsiteProtocol };
  readonly routingRules?: readonly WebsiteRoutingRule[];
}

/** S3's limit of routing rules in one website configuration (user guide, "Configuring redirects"). */
export const MAX_WEBSITE_ROUTING_RULES = 50;

/** The redirect codes S3 takes: "3XX except 300", in fact only these (ceph s3-tests VALID_AMZ_REDIRECT; versitygw). */
const REDIRECT_CODES: ReadonlySet<number> = new Set([301, 302, 303, 304, 305, 307, 308]);
const PROTOCOLS: ReadonlySet<string> = new Set(['http', 'https']);

/** S3's messages, word for word. */
const MESSAGES = {
  conjunction: 'RedirectAllRequestsTo cannot be provided in conjunction with other Routing Rules.',
  hostNameRequired: 'A host name must be provided to redirect all requests (e.g. "example.com").',
  indexRequired: 'A value for IndexDocument Suffix must be provided if RedirectAllRequestsTo is empty',
  suffix: 'The IndexDocument Suffix is not well formed',
  errorKey: 'The ErrorDocument Key is not well formed',
  protocol: 'Invalid protocol, protocol can be http or https. If not defined the protocol will be selected automatically.',
  emptyCondition: "Condition cannot be empty. To redirect all requests without a condition, the condition element shouldn't be present.",
  bothReplacements: 'You can only define ReplaceKeyPrefix or ReplaceKey but not both.',
  blankHostName: 'The HostName cannot be blank. To redirect within the same domain, the element should not be present.',
  tooManyRules: (n: number) => `${n} routing rules provided, the number of routing rules in a website configuration is limited to ${MAX_WEBSITE_ROUTING_RULES}.`,
  redirectCode: (n: number) => `The provided HTTP redirect code (${n}) is not valid. Valid codes are 3XX except 300.`,
  errorCode: (n: number) => `The provided HTTP error code (${n}) is not valid. Valid codes are 4XX or 5XX.`,
} as const;

const invalidRequest = (message: string): S3Error => new S3Error('InvalidRequest', message);

/** A rule as read, before S3's checks: protocol not yet checked, codes already integers. */
interface RawRule {
  readonly condition?: { readonly keyPrefixEquals?: string; readonly httpErrorCode?: number };
  readonly redirect: {
    readonly hostName?: string;
    readonly protocol?: string;
    readonly httpRedirectCode?: number;
    readonly replaceKeyPrefixWith?: string;
    readonly replaceKeyWith?: string;
  };
}

/** Parses and validates a PutBucketWebsite body as S3 does; throws S3Error (MalformedXML, InvalidArgument, ...) with S3's messages. */
export function parseWebsiteConfiguration(body: Buffer | string): WebsiteConfiguration {
  // The schema first: nothing below may answer anything but MalformedXML.
  const root = childrenByName(readXmlDocument(body, 'WebsiteConfiguration'), ['RedirectAllRequestsTo', 'IndexDocument', 'ErrorDocument', 'RoutingRules']);
  const allEl = root.get('RedirectAllRequestsTo');
  const all = allEl && childrenByName(allEl, ['HostName', 'Protocol']);
  const hostName = all && leafText(required(all.get('HostName')));
  const allProtocol = optionalLeaf(all?.get('Protocol'))?.trim();
  const indexEl = root.get('IndexDocument');
  const suffix = indexEl && leafText(required(childrenByName(indexEl, ['Suffix']).get('Suffix')));
  const errorEl = root.get('ErrorDocument');
  const key = errorEl && leafText(required(childrenByName(errorEl, ['Key']).get('Key')));
  const rulesEl = root.get('RoutingRules');
  const rules = rulesEl && readRoutingRules(rulesEl);

  // Then S3's checks, in S3's order.
  if (hostName !== undefined) {
    if (indexEl || errorEl || rulesEl) {
      throw new S3Error('InvalidArgument', MESSAGES.conjunction, { ArgumentName: 'RedirectAllRequestsTo', ArgumentValue: 'not null' });
    }
    if (hostName === '') throw invalidRequest(MESSAGES.hostNameRequired);
    const protocol = checkProtocol(allProtocol);
    return { redirectAllRequestsTo: protocol === undefined ? { hostName } : { hostName, protocol } };
  }
  if (suffix === undefined) {
    throw new S3Error('InvalidArgument', MESSAGES.indexRequired, { ArgumentName: 'IndexDocument', ArgumentValue: 'null' });
  }
  if (suffix === '' || suffix.includes('/')) {
    // S3 names the value only when there is one.
    throw new S3Error('InvalidArgument', MESSAGES.suffix, suffix === '' ? { ArgumentName: 'IndexDocument' } : { ArgumentName: 'IndexDocument', ArgumentValue: suffix });
  }
  if (key === '') throw new S3Error('InvalidArgument', MESSAGES.errorKey, { ArgumentName: 'ErrorDocument' });
  if (rules !== undefined && rules.length > MAX_WEBSITE_ROUTING_RULES) throw invalidRequest(MESSAGES.tooManyRules(rules.length));
  return {
    indexDocument: { suffix },
    ...(key !== undefined && { errorDocument: { key } }),
    ...(rules !== undefined && { routingRules: rules.map(checkRule) }),
  };
}

function required(el: XmlElement | undefined): XmlElement {
  if (el === undefined) throw malformedXml();
  return el;
}

function optionalLeaf(el: XmlElement | undefined): string | undefined {
  return el === undefined ? undefined : leafText(el);
}

function readRoutingRules(el: XmlElement): RawRule[] {
  assertContainer(el);
  if (el.children.length === 0) throw malformedXml();
  return el.children.map((ruleEl) => {
    if (ruleEl.name !== 'RoutingRule') throw malformedXml();
    const rule = childrenByName(ruleEl, ['Condition', 'Redirect']);
    const conditionEl = rule.get('Condition');
    return {
      ...(conditionEl && { condition: readCondition(conditionEl) }),
      redirect: readRedirect(required(rule.get('Redirect'))),
    };
  });
}

function readCondition(el: XmlElement): NonNullable<RawRule['condition']> {
  const c = childrenByName(el, ['KeyPrefixEquals', 'HttpErrorCodeReturnedEquals']);
  const keyPrefixEquals = optionalLeaf(c.get('KeyPrefixEquals'));
  const code = c.get('HttpErrorCodeReturnedEquals');
  return {
    ...(keyPrefixEquals !== undefined && { keyPrefixEquals }),
    ...(code && { httpErrorCode: httpCode(code) }),
  };
}

function readRedirect(el: XmlElement): RawRule['redirect'] {
  const r = childrenByName(el, ['HostName', 'HttpRedirectCode', 'Protocol', 'ReplaceKeyPrefixWith', 'ReplaceKeyWith']);
  // A Redirect with nothing in it would send every request back to itself.
  if (r.size === 0) throw malformedXml();
  const hostName = optionalLeaf(r.get('HostName'));
  const code = r.get('HttpRedirectCode');
  const protocol = optionalLeaf(r.get('Protocol'))?.trim();
  const replaceKeyPrefixWith = optionalLeaf(r.get('ReplaceKeyPrefixWith'));
  const replaceKeyWith = optionalLeaf(r.get('ReplaceKeyWith'));
  return {
    ...(hostName !== undefined && { hostName }),
    ...(protocol !== undefined && { protocol }),
    ...(code && { httpRedirectCode: httpCode(code) }),
    ...(replaceKeyPrefixWith !== undefined && { replaceKeyPrefixWith }),
    ...(replaceKeyWith !== undefined && { replaceKeyWith }),
  };
}

/** An HTTP code element: S3 reads it as an int, so anything else is MalformedXML (aws-cdk#22541: "https"). */
function httpCode(el: XmlElement): number {
  const v = leafText(el).trim();
  if (!/^[+-]?\d{1,10}$/.test(v)) throw malformedXml();
  const n = Number(v);
  if (n < -2147483648 || n > 2147483647) throw malformedXml();
  return n;
}

function checkProtocol(p: string | undefined): WebsiteProtocol | undefined {
  if (p !== undefined && !PROTOCOLS.has(p)) throw invalidRequest(MESSAGES.protocol);
  return p as WebsiteProtocol | undefined;
}

/** 400-417 and 500-505 (RFC 2616's codes): S3 refuses 418, 499 and 506 (versitygw's integration tests). */
function isErrorCode(n: number): boolean {
  return (n >= 400 && n <= 417) || (n >= 500 && n <= 505);
}

/** S3's checks of one rule; codes are kept in canonical form, which the website endpoint compares as strings. */
function checkRule(rule: RawRule): WebsiteRoutingRule {
  const r = rule.redirect;
  if (r.replaceKeyPrefixWith !== undefined && r.replaceKeyWith !== undefined) throw invalidRequest(MESSAGES.bothReplacements);
  const protocol = checkProtocol(r.protocol);
  if (r.hostName === '') throw invalidRequest(MESSAGES.blankHostName);
  if (r.httpRedirectCode !== undefined && !REDIRECT_CODES.has(r.httpRedirectCode)) throw invalidRequest(MESSAGES.redirectCode(r.httpRedirectCode));
  const c = rule.condition;
  if (c !== undefined) {
    if (c.keyPrefixEquals === undefined && c.httpErrorCode === undefined) throw invalidRequest(MESSAGES.emptyCondition);
    if (c.httpErrorCode !== undefined && !isErrorCode(c.httpErrorCode)) throw invalidRequest(MESSAGES.errorCode(c.httpErrorCode));
  }
  const redirect: WebsiteRedirect = {
    ...(r.hostName !== undefined && { hostName: r.hostName }),
    ...(protocol !== undefined && { protocol }),
    ...(r.httpRedirectCode !== undefined && { httpRedirectCode: String(r.httpRedirectCode) }),
    ...(r.replaceKeyPrefixWith !== undefined && { replaceKeyPrefixWith: r.replaceKeyPrefixWith }),
    ...(r.replaceKeyWith !== undefined && { replaceKeyWith: r.replaceKeyWith }),
  };
  if (c === undefined) return { redirect };
  const condition = {
    ...(c.keyPrefixEquals !== undefined && { keyPrefixEquals: c.keyPrefixEquals }),
    ...(c.httpErrorCode !== undefined && { httpErrorCodeReturnedEquals: String(c.httpErrorCode) }),
  };
  return { condition, redirect };
}

/**
 * The GetBucketWebsite document (elements in S3's order, only those set): the order of the API reference's
 * response syntax, RedirectAllRequestsTo, IndexDocument, ErrorDocument, RoutingRules; in a Condition
 * HttpErrorCodeReturnedEquals before KeyPrefixEquals; in a Redirect HostName, HttpRedirectCode, Protocol,
 * ReplaceKeyPrefixWith, ReplaceKeyWith. An empty `routingRules` is left out (S3 would refuse `<RoutingRules/>`).
 */
export function buildWebsiteConfiguration(c: WebsiteConfiguration): string {
  const w = new XmlWriter('WebsiteConfiguration');
  const all = c.redirectAllRequestsTo;
  if (all) w.open('RedirectAllRequestsTo').text('HostName', all.hostName).optText('Protocol', all.protocol).close('RedirectAllRequestsTo');
  if (c.indexDocument) w.open('IndexDocument').text('Suffix', c.indexDocument.suffix).close('IndexDocument');
  if (c.errorDocument) w.open('ErrorDocument').text('Key', c.errorDocument.key).close('ErrorDocument');
  if (c.routingRules && c.routingRules.length > 0) {
    w.open('RoutingRules');
    for (const rule of c.routingRules) {
      w.open('RoutingRule');
      const k = rule.condition;
      if (k) w.open('Condition').optText('HttpErrorCodeReturnedEquals', k.httpErrorCodeReturnedEquals).optText('KeyPrefixEquals', k.keyPrefixEquals).close('Condition');
      const r = rule.redirect;
      w.open('Redirect')
        .optText('HostName', r.hostName)
        .optText('HttpRedirectCode', r.httpRedirectCode)
        .optText('Protocol', r.protocol)
        .optText('ReplaceKeyPrefixWith', r.replaceKeyPrefixWith)
        .optText('ReplaceKeyWith', r.replaceKeyWith)
        .close('Redirect');
      w.close('RoutingRule');
    }
    w.close('RoutingRules');
  }
  return w.end();
}

/**
 * Checks a value decoded from storage has this shape (throws otherwise); used when reading the stored JSON back.
 * Only the shape: plain objects with no other keys, strings where strings belong, a Protocol of http or https,
 * every rule with a Redirect. The rules S3 applies were checked when the configuration was put.
 */
export function isWebsiteConfiguration(v: unknown): v is WebsiteConfiguration {
  const c = record(v, 'configuration', ['indexDocument', 'errorDocument', 'redirectAllRequestsTo', 'routingRules']);
  if (c.indexDocument !== undefined) text(record(c.indexDocument, 'indexDocument', ['suffix']).suffix, 'indexDocument.suffix');
  if (c.errorDocument !== undefined) text(record(c.errorDocument, 'errorDocument', ['key']).key, 'errorDocument.key');
  if (c.redirectAllRequestsTo !== undefined) {
    const all = record(c.redirectAllRequestsTo, 'redirectAllRequestsTo', ['hostName', 'protocol']);
    text(all.hostName, 'redirectAllRequestsTo.hostName');
    protocolShape(all.protocol, 'redirectAllRequestsTo.protocol');
  }
  if (c.routingRules !== undefined) {
    if (!Array.isArray(c.routingRules)) throw notStored('routingRules', 'an array');
    c.routingRules.forEach((raw: unknown, i) => {
      const at = `routingRules[${i}]`;
      const rule = record(raw, at, ['condition', 'redirect']);
      if (rule.condition !== undefined) {
        const k = record(rule.condition, `${at}.condition`, ['keyPrefixEquals', 'httpErrorCodeReturnedEquals']);
        optionalText(k.keyPrefixEquals, `${at}.condition.keyPrefixEquals`);
        optionalText(k.httpErrorCodeReturnedEquals, `${at}.condition.httpErrorCodeReturnedEquals`);
      }
      const r = record(rule.redirect, `${at}.redirect`, ['hostName', 'protocol', 'httpRedirectCode', 'replaceKeyPrefixWith', 'replaceKeyWith']);
      for (const name of ['hostName', 'httpRedirectCode', 'replaceKeyPrefixWith', 'replaceKeyWith'] as const) optionalText(r[name], `${at}.redirect.${name}`);
      protocolShape(r.protocol, `${at}.redirect.protocol`);
    });
  }
  return true;
}

function notStored(path: string, what: string): TypeError {
  return new TypeError(`stored website configuration: ${path} is not ${what}`);
}

/** A plain object whose keys are all among `keys`. */
function record<K extends string>(v: unknown, path: string, keys: readonly K[]): Partial<Record<K, unknown>> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw notStored(path, 'an object');
  for (const k of Object.keys(v)) if (!(keys as readonly string[]).includes(k)) throw notStored(`${path}.${k}`, 'a known field');
  return v as Partial<Record<K, unknown>>;
}

function text(v: unknown, path: string): void {
  if (typeof v !== 'string') throw notStored(path, 'a string');
}

function optionalText(v: unknown, path: string): void {
  if (v !== undefined) text(v, path);
}

function protocolShape(v: unknown, path: string): void {
  if (v !== undefined && (typeof v !== 'string' || !PROTOCOLS.has(v))) throw notStored(path, 'http or https');
}
