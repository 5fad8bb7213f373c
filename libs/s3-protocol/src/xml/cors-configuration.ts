import { S3Error } from '../errors';
import { isCorsMethod, type CorsMethod, type CorsRule } from '../cors/cors-rules';
import { assertContainer, leafText, malformedXml, readXmlDocument } from './xml-reader';
import { XmlWriter } from './xml-writer';

/** S3's limit of rules per bucket. */
export const MAX_CORS_RULES = 100;
const MAX_ID_LENGTH = 255;

/**
 * PutBucketCors's body (strict, validated as S3 validates it) and GetBucketCors's answer:
 * `<CORSConfiguration><CORSRule><ID/><AllowedHeader/>*<AllowedMethod/>+<AllowedOrigin/>+<ExposeHeader/>*<MaxAgeSeconds/></CORSRule>+</CORSConfiguration>`.
 * Structure errors (no rule, a rule without method or origin, unknown elements, a bad number) are MalformedXML;
 * values S3 refuses (an unsupported method, two wildcards, a wildcard ExposeHeader, > 100 rules) are InvalidRequest.
 */
export function parseCorsConfiguration(body: string | Uint8Array): CorsRule[] {
  const root = readXmlDocument(body, 'CORSConfiguration');
  assertContainer(root);
  if (root.children.length === 0) throw malformedXml();
  const rules = root.children.map((el) => {
    if (el.name !== 'CORSRule') throw malformedXml();
    return parseRule(el);
  });
  if (rules.length > MAX_CORS_RULES) {
    throw new S3Error('InvalidRequest', `The number of CORS rules should not exceed allowed limit of ${MAX_CORS_RULES} rules.`);
  }
  return rules;
}

function parseRule(el: Parameters<typeof leafText>[0]): CorsRule {
  assertContainer(el);
  let id: string | undefined;
  let maxAge: number | undefined;
  const origins: string[] = [];
  const methods: CorsMethod[] = [];
  const headers: string[] = [];
  const expose: string[] = [];
  for (const c of el.children) {
    const v = leafText(c).trim();
    switch (c.name) {
      case 'ID':
        if (id !== undefined) throw malformedXml();
        if (v.length > MAX_ID_LENGTH) throw new S3Error('InvalidRequest', `The ID of a CORS rule must not be longer than ${MAX_ID_LENGTH} characters.`);
        id = v;
        break;
      case 'AllowedMethod':
        if (!isCorsMethod(v)) throw new S3Error('InvalidRequest', `Found unsupported HTTP method in CORS config. Unsupported method is ${v}`);
        if (!methods.includes(v)) methods.push(v);
        break;
      case 'AllowedOrigin':
        if (v === '') throw malformedXml();
        if (wildcards(v) > 1) throw new S3Error('InvalidRequest', `AllowedOrigin "${v}" can not have more than one wildcard.`);
        origins.push(v);
        break;
      case 'AllowedHeader':
        if (v === '') throw malformedXml();
        if (wildcards(v) > 1) throw new S3Error('InvalidRequest', `AllowedHeader "${v}" can not have more than one wildcard.`);
        headers.push(v.toLowerCase());
        break;
      case 'ExposeHeader':
        if (v === '') throw malformedXml();
        if (v.includes('*')) throw new S3Error('InvalidRequest', `ExposeHeader "${v}" contains wildcard. We currently do not support wildcard for ExposeHeader.`);
        expose.push(v);
        break;
      case 'MaxAgeSeconds':
        if (maxAge !== undefined || !/^[0-9]{1,10}$/.test(v) || Number(v) > 2 ** 31 - 1) throw malformedXml();
        maxAge = Number(v);
        break;
      default:
        throw malformedXml();
    }
  }
  if (origins.length === 0 || methods.length === 0) throw malformedXml();
  return {
    ...(id !== undefined && id !== '' ? { id } : {}),
    allowedOrigins: origins,
    allowedMethods: methods,
    allowedHeaders: headers,
    exposeHeaders: expose,
    ...(maxAge !== undefined ? { maxAgeSeconds: maxAge } : {}),
  };
}

function wildcards(s: string): number {
  return s.split('*').length - 1;
}

export function buildCorsConfiguration(rules: readonly CorsRule[]): string {
  const w = new XmlWriter('CORSConfiguration');
  for (const r of rules) {
    w.open('CORSRule').optText('ID', r.id);
    for (const h of r.allowedHeaders) w.text('AllowedHeader', h);
    for (const m of r.allowedMethods) w.text('AllowedMethod', m);
    for (const o of r.allowedOrigins) w.text('AllowedOrigin', o);
    for (const h of r.exposeHeaders) w.text('ExposeHeader', h);
    w.optInt('MaxAgeSeconds', r.maxAgeSeconds).close('CORSRule');
  }
  return w.end();
}
