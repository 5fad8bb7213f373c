import { S3Error } from '../errors';
import { assertContainer, leafText, malformedXml, parseXmlBoolean, readXmlDocument, type XmlElement } from './xml-reader';
import { XmlWriter } from './xml-writer';

/**
 * PutBucketLifecycleConfiguration's body and GetBucketLifecycleConfiguration's answer. The model mirrors
 * `LifecycleConfiguration` of @massive/contracts (the stored form) field for field; this module only
 * knows the XML and AWS's validation rules, and answers AWS's errors:
 * - schema violations (unknown or repeated elements, Days and Date together, no Filter and no Prefix,
 *   a Filter with two predicates, a non-integer number) are MalformedXML;
 * - out-of-range values are InvalidArgument with AWS's messages; a rule without an action, tag filters on
 *   ExpiredObjectDeleteMarker / AbortIncompleteMultipartUpload and duplicate tag keys are InvalidRequest;
 * - Transition / NoncurrentVersionTransition are refused (InvalidStorageClass): there is one class.
 */
export interface LifecycleTagDoc {
  readonly key: string;
  readonly value: string;
}
export type LifecycleFilterDoc =
  | { readonly kind: 'legacy'; readonly prefix: string }
  | { readonly kind: 'all' }
  | { readonly kind: 'prefix'; readonly prefix: string }
  | { readonly kind: 'tag'; readonly tag: LifecycleTagDoc }
  | { readonly kind: 'sizeGreaterThan'; readonly size: number }
  | { readonly kind: 'sizeLessThan'; readonly size: number }
  | {
      readonly kind: 'and';
      readonly prefix?: string;
      readonly tags: readonly LifecycleTagDoc[];
      readonly sizeGreaterThan?: number;
      readonly sizeLessThan?: number;
    };
export interface LifecycleRuleDoc {
  readonly id: string;
  readonly status: 'Enabled' | 'Disabled';
  readonly filter: LifecycleFilterDoc;
  readonly expiration?: { readonly days?: number; readonly date?: number; readonly expiredObjectDeleteMarker?: boolean };
  readonly noncurrentVersionExpiration?: { readonly noncurrentDays: number; readonly newerNoncurrentVersions?: number };
  readonly abortIncompleteMultipartUpload?: { readonly daysAfterInitiation: number };
}
export interface LifecycleConfigurationDoc {
  readonly rules: readonly LifecycleRuleDoc[];
}

export const MAX_LIFECYCLE_RULES = 1000;
const MAX_ID = 255;
const MAX_NEWER_NONCURRENT = 100;
const INT32_MAX = 2 ** 31 - 1;
const DAY_MS = 86_400_000;

const invalidArgument = (message: string): S3Error => new S3Error('InvalidArgument', message);
const invalidRequest = (message: string): S3Error => new S3Error('InvalidRequest', message);

/** Children of `el` by name; a repeated element (other than `repeatable` ones) or an unknown one is MalformedXML. */
function childrenOf(el: XmlElement, allowed: readonly string[], repeatable: readonly string[] = []): Map<string, XmlElement[]> {
  assertContainer(el);
  const out = new Map<string, XmlElement[]>();
  for (const c of el.children) {
    if (!allowed.includes(c.name)) throw malformedXml();
    const list = out.get(c.name) ?? [];
    if (list.length > 0 && !repeatable.includes(c.name)) throw malformedXml();
    list.push(c);
    out.set(c.name, list);
  }
  return out;
}

/** xsd:int / xsd:long text: an integer, else MalformedXML. */
function integer(el: XmlElement, max = Number.MAX_SAFE_INTEGER): number {
  const t = leafText(el).trim();
  if (!/^[+-]?\d+$/.test(t)) throw malformedXml();
  const n = Number(t);
  if (!Number.isSafeInteger(n) || n > max || n < -max) throw malformedXml();
  return n;
}

function positive(el: XmlElement, message: string): number {
  const n = integer(el, INT32_MAX);
  if (n <= 0) throw invalidArgument(message);
  return n;
}

function tagOf(el: XmlElement): LifecycleTagDoc {
  const c = childrenOf(el, ['Key', 'Value']);
  const k = c.get('Key')?.[0];
  const v = c.get('Value')?.[0];
  if (!k || !v) throw malformedXml();
  const key = leafText(k);
  const value = leafText(v);
  if (key.length === 0 || [...key].length > 128) throw invalidArgument('The TagKey you have provided is invalid');
  if ([...value].length > 256) throw invalidArgument('The TagValue you have provided is invalid');
  return { key, value };
}

function size(el: XmlElement): number {
  const n = integer(el);
  if (n < 0) throw invalidArgument('Object size filters must be non-negative integers');
  return n;
}

function filterOf(el: XmlElement): LifecycleFilterDoc {
  const c = childrenOf(el, ['Prefix', 'Tag', 'ObjectSizeGreaterThan', 'ObjectSizeLessThan', 'And']);
  if (c.size > 1) throw malformedXml(); // a Filter holds exactly one predicate (or none: the whole bucket)
  const [[name, [only]] = ['', []]] = [...c.entries()];
  switch (name) {
    case '':
      return { kind: 'all' };
    case 'Prefix':
      return { kind: 'prefix', prefix: leafText(only) };
    case 'Tag':
      return { kind: 'tag', tag: tagOf(only) };
    case 'ObjectSizeGreaterThan':
      return { kind: 'sizeGreaterThan', size: size(only) };
    case 'ObjectSizeLessThan':
      return { kind: 'sizeLessThan', size: size(only) };
    default:
      return andOf(only);
  }
}

function andOf(el: XmlElement): LifecycleFilterDoc {
  const c = childrenOf(el, ['Prefix', 'Tag', 'ObjectSizeGreaterThan', 'ObjectSizeLessThan'], ['Tag']);
  const tags = (c.get('Tag') ?? []).map(tagOf);
  if (new Set(tags.map((t) => t.key)).size !== tags.length) throw invalidRequest('Duplicate Tag Keys are not allowed.');
  const prefix = c.get('Prefix')?.[0];
  const gt = c.get('ObjectSizeGreaterThan')?.[0];
  const lt = c.get('ObjectSizeLessThan')?.[0];
  const f = {
    kind: 'and' as const,
    ...(prefix && { prefix: leafText(prefix) }),
    tags,
    ...(gt && { sizeGreaterThan: size(gt) }),
    ...(lt && { sizeLessThan: size(lt) }),
  };
  if (f.sizeGreaterThan !== undefined && f.sizeLessThan !== undefined && f.sizeGreaterThan >= f.sizeLessThan) {
    throw invalidArgument('ObjectSizeGreaterThan must be less than ObjectSizeLessThan');
  }
  return f;
}

function expirationOf(el: XmlElement): NonNullable<LifecycleRuleDoc['expiration']> {
  const c = childrenOf(el, ['Days', 'Date', 'ExpiredObjectDeleteMarker']);
  // Exactly one of them: Days with Date, or ExpiredObjectDeleteMarker with either, do not fit the schema.
  if (c.size !== 1) throw malformedXml();
  const days = c.get('Days')?.[0];
  if (days) return { days: positive(days, "'Days' for Expiration action must be a positive integer") };
  const date = c.get('Date')?.[0];
  if (date) return { date: midnight(leafText(date).trim()) };
  return { expiredObjectDeleteMarker: parseXmlBoolean(leafText(c.get('ExpiredObjectDeleteMarker')![0])) };
}

/** An ISO 8601 timestamp that must fall on midnight UTC. */
function midnight(text: string): number {
  if (!/^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(text)) throw invalidArgument('Invalid Date value');
  // A date-time without a zone is read as UTC, as S3 does ("2023-02-18T00:00:00").
  const zoned = /T/.test(text) && !/(Z|[+-]\d{2}:?\d{2})$/.test(text) ? `${text}Z` : text;
  const ms = Date.parse(zoned);
  if (!Number.isFinite(ms)) throw invalidArgument('Invalid Date value');
  if (ms % DAY_MS !== 0) throw invalidArgument("'Date' must be at midnight GMT");
  return ms;
}

function ruleOf(el: XmlElement): Omit<LifecycleRuleDoc, 'id'> & { readonly id?: string } {
  const c = childrenOf(el, [
    'ID', 'Prefix', 'Filter', 'Status', 'Expiration', 'Transition', 'NoncurrentVersionTransition',
    'NoncurrentVersionExpiration', 'AbortIncompleteMultipartUpload',
  ], ['Transition', 'NoncurrentVersionTransition']);
  const status = c.get('Status')?.[0];
  const statusText = status && leafText(status).trim();
  if (statusText !== 'Enabled' && statusText !== 'Disabled') throw malformedXml();
  const idEl = c.get('ID')?.[0];
  const id = idEl && leafText(idEl);
  if (id !== undefined && [...id].length > MAX_ID) throw invalidArgument(`ID length should not exceed allowed limit of ${MAX_ID}`);
  const prefix = c.get('Prefix')?.[0];
  const filterEl = c.get('Filter')?.[0];
  if ((prefix === undefined) === (filterEl === undefined)) throw malformedXml(); // exactly one of them
  const filter: LifecycleFilterDoc = prefix ? { kind: 'legacy', prefix: leafText(prefix) } : filterOf(filterEl as XmlElement);
  if (c.has('Transition') || c.has('NoncurrentVersionTransition')) {
    throw new S3Error(
      'InvalidStorageClass',
      'Lifecycle transitions are not supported: this service keeps every object in the STANDARD storage class. Use Expiration actions instead.',
    );
  }
  const expEl = c.get('Expiration')?.[0];
  const nveEl = c.get('NoncurrentVersionExpiration')?.[0];
  const abortEl = c.get('AbortIncompleteMultipartUpload')?.[0];
  const expiration = expEl && expirationOf(expEl);
  const noncurrent = nveEl && noncurrentOf(nveEl);
  const abort = abortEl && abortOf(abortEl);
  if (!expiration && !noncurrent && !abort) throw invalidRequest('At least one action needs to be specified in a rule');
  const tagged = filter.kind === 'tag' || (filter.kind === 'and' && filter.tags.length > 0);
  if (tagged && expiration?.expiredObjectDeleteMarker !== undefined) {
    throw invalidRequest('ExpiredObjectDeleteMarker cannot be specified with a Tag filter: delete markers have no tags');
  }
  if (tagged && abort) throw invalidRequest('AbortIncompleteMultipartUpload cannot be specified with Tags.');
  return {
    ...(id !== undefined && { id }),
    status: statusText,
    filter,
    ...(expiration && { expiration }),
    ...(noncurrent && { noncurrentVersionExpiration: noncurrent }),
    ...(abort && { abortIncompleteMultipartUpload: abort }),
  };
}

function noncurrentOf(el: XmlElement): NonNullable<LifecycleRuleDoc['noncurrentVersionExpiration']> {
  const c = childrenOf(el, ['NoncurrentDays', 'NewerNoncurrentVersions']);
  const days = c.get('NoncurrentDays')?.[0];
  if (!days) throw malformedXml();
  const noncurrentDays = positive(days, "'NoncurrentDays' for NoncurrentVersionExpiration action must be a positive integer");
  const newer = c.get('NewerNoncurrentVersions')?.[0];
  if (!newer) return { noncurrentDays };
  const n = positive(newer, "'NewerNoncurrentVersions' for NoncurrentVersionExpiration action must be a positive integer");
  if (n > MAX_NEWER_NONCURRENT) {
    throw invalidArgument(`'NewerNoncurrentVersions' for NoncurrentVersionExpiration action must be less than or equal to ${MAX_NEWER_NONCURRENT}`);
  }
  return { noncurrentDays, newerNoncurrentVersions: n };
}

function abortOf(el: XmlElement): NonNullable<LifecycleRuleDoc['abortIncompleteMultipartUpload']> {
  const c = childrenOf(el, ['DaysAfterInitiation']);
  const days = c.get('DaysAfterInitiation')?.[0];
  if (!days) throw malformedXml();
  return { daysAfterInitiation: positive(days, "'DaysAfterInitiation' for AbortIncompleteMultipartUpload action must be a positive integer") };
}

/**
 * Strict parse and full validation. Rules without an ID get one from `newId` (S3 generates one too);
 * IDs must be unique.
 */
export function parseLifecycleConfiguration(body: string | Uint8Array, newId: () => string): LifecycleConfigurationDoc {
  const root = readXmlDocument(body, 'LifecycleConfiguration');
  const c = childrenOf(root, ['Rule'], ['Rule']);
  const raw = c.get('Rule') ?? [];
  if (raw.length === 0) throw malformedXml();
  if (raw.length > MAX_LIFECYCLE_RULES) throw malformedXml();
  const rules = raw.map(ruleOf).map((r): LifecycleRuleDoc => ({ ...r, id: r.id ?? newId() }));
  const ids = new Set<string>();
  for (const r of rules) {
    if (ids.has(r.id)) throw invalidArgument('Rule ID must be unique. Found same ID for more than one rule');
    ids.add(r.id);
  }
  return { rules };
}

/** GetBucketLifecycleConfiguration's answer: each rule in the shape it was put. */
export function buildLifecycleConfiguration(config: LifecycleConfigurationDoc): string {
  const w = new XmlWriter('LifecycleConfiguration');
  for (const r of config.rules) {
    w.open('Rule').text('ID', r.id);
    writeFilter(w, r.filter);
    w.text('Status', r.status);
    const e = r.expiration;
    if (e) {
      w.open('Expiration');
      if (e.days !== undefined) w.int('Days', e.days);
      if (e.date !== undefined) w.date('Date', new Date(e.date));
      if (e.expiredObjectDeleteMarker !== undefined) w.bool('ExpiredObjectDeleteMarker', e.expiredObjectDeleteMarker);
      w.close('Expiration');
    }
    const n = r.noncurrentVersionExpiration;
    if (n) w.open('NoncurrentVersionExpiration').int('NoncurrentDays', n.noncurrentDays).optInt('NewerNoncurrentVersions', n.newerNoncurrentVersions).close('NoncurrentVersionExpiration');
    const a = r.abortIncompleteMultipartUpload;
    if (a) w.open('AbortIncompleteMultipartUpload').int('DaysAfterInitiation', a.daysAfterInitiation).close('AbortIncompleteMultipartUpload');
    w.close('Rule');
  }
  return w.end();
}

function writeTag(w: XmlWriter, t: LifecycleTagDoc): void {
  w.open('Tag').text('Key', t.key).text('Value', t.value).close('Tag');
}

function writeFilter(w: XmlWriter, f: LifecycleFilterDoc): void {
  if (f.kind === 'legacy') {
    w.text('Prefix', f.prefix);
    return;
  }
  w.open('Filter');
  if (f.kind === 'prefix') w.text('Prefix', f.prefix);
  else if (f.kind === 'tag') writeTag(w, f.tag);
  else if (f.kind === 'sizeGreaterThan') w.int('ObjectSizeGreaterThan', f.size);
  else if (f.kind === 'sizeLessThan') w.int('ObjectSizeLessThan', f.size);
  else if (f.kind === 'and') {
    w.open('And').optText('Prefix', f.prefix);
    for (const t of f.tags) writeTag(w, t);
    w.optInt('ObjectSizeGreaterThan', f.sizeGreaterThan).optInt('ObjectSizeLessThan', f.sizeLessThan).close('And');
  }
  w.close('Filter');
}
