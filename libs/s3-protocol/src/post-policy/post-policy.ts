import { S3Error } from '../errors';

/** One condition of a POST policy, with the text AWS quotes when it fails. */
export type PolicyCondition =
  | { readonly op: 'eq' | 'starts-with'; /** lower case, without `$` */ readonly field: string; readonly value: string; readonly text: string }
  | { readonly op: 'content-length-range'; readonly min: number; readonly max: number; readonly text: string };

export interface PostPolicy {
  readonly expiration: Date;
  readonly conditions: readonly PolicyCondition[];
}

/** ISO 8601 in UTC, as AWS's examples write it: `2007-12-01T12:00:00.000Z` (fraction optional). */
const EXPIRATION = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?Z$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
/** Largest content-length-range bound accepted (S3's largest object is 5 TiB; JSON numbers stay exact far beyond). */
const MAX_RANGE = Number.MAX_SAFE_INTEGER;

function invalid(message: string): S3Error {
  return new S3Error('InvalidPolicyDocument', `Invalid Policy: ${message}`);
}

/**
 * Decodes and validates the `policy` form field (base64 of a UTF-8 JSON document with `expiration` and
 * `conditions`). Anything malformed is InvalidPolicyDocument with a message in AWS's wording.
 */
export function parsePostPolicy(base64: string): PostPolicy {
  const compact = base64.replace(/[\r\n]/g, '');
  if (!BASE64.test(compact)) throw invalid('Invalid Base64 Encoding.');
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.from(compact, 'base64').toString('utf8'));
  } catch {
    throw invalid('Invalid JSON.');
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw invalid('Invalid JSON.');
  const record = doc as Record<string, unknown>;
  for (const k of Object.keys(record)) {
    if (k !== 'expiration' && k !== 'conditions') throw invalid(`Unexpected field: '${k}'.`);
  }
  if (record['expiration'] === undefined) throw invalid('Policy missing expiration.');
  const expiration = parseExpiration(record['expiration']);
  if (record['conditions'] === undefined) throw invalid('Policy missing conditions.');
  const list = record['conditions'];
  if (!Array.isArray(list)) throw invalid("Invalid 'conditions' value: must be a List.");
  const conditions: PolicyCondition[] = [];
  for (const c of list) conditions.push(...parseCondition(c));
  return { expiration, conditions };
}

function parseExpiration(v: unknown): Date {
  const m = typeof v === 'string' ? EXPIRATION.exec(v) : null;
  if (m) {
    const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number);
    const ms = m[7] ? Math.floor(Number(`0${m[7]}`) * 1000) : 0;
    const t = new Date(Date.UTC(y, mo - 1, d, h, mi, s, ms));
    if (t.getUTCMonth() === mo - 1 && t.getUTCDate() === d && h < 24 && mi < 60 && s < 60) return t;
  }
  throw invalid(`Invalid 'expiration' value: '${typeof v === 'string' ? v : JSON.stringify(v)}'.`);
}

function parseCondition(c: unknown): PolicyCondition[] {
  if (Array.isArray(c)) return [parseListCondition(c)];
  if (typeof c === 'object' && c !== null) {
    // `{}` states nothing (S3 then finds the form's fields uncovered: AccessDenied, not a bad document).
    return Object.entries(c as Record<string, unknown>).map(([name, value]) => {
      if (typeof value !== 'string') throw invalid(`Invalid Simple-Condition: value of '${name}' must be a string.`);
      return { op: 'eq', field: name.toLowerCase(), value, text: render('eq', `$${name}`, value) };
    });
  }
  throw invalid(`Invalid Condition: ${JSON.stringify(c)}.`);
}

function parseListCondition(c: readonly unknown[]): PolicyCondition {
  const [op, a, b] = c;
  const name = typeof op === 'string' ? op.toLowerCase() : op;
  if (name === 'content-length-range') {
    if (c.length !== 3) throw invalid("Invalid 'content-length-range' condition: it takes exactly two bounds.");
    const min = bound(a);
    const max = bound(b);
    if (min > max) throw invalid("Invalid 'content-length-range' condition: the minimum exceeds the maximum.");
    return { op: 'content-length-range', min, max, text: `["content-length-range", ${min}, ${max}]` };
  }
  if (name === 'eq' || name === 'starts-with') {
    if (c.length !== 3) throw invalid(`Invalid '${name}' condition: wrong number of arguments (${c.length - 1}, expected 2).`);
    if (typeof a !== 'string' || !a.startsWith('$') || a.length < 2) {
      throw invalid(`Invalid '${name}' condition: the field name must be a string starting with '$'.`);
    }
    if (typeof b !== 'string') throw invalid(`Invalid '${name}' condition: the value must be a string.`);
    return { op: name, field: a.slice(1).toLowerCase(), value: b, text: render(name, a, b) };
  }
  throw invalid(`Invalid Condition: unknown operation ${JSON.stringify(op)}.`);
}

/** content-length-range bounds: non-negative integers (numbers, or strings of digits as some tools write them). */
function bound(v: unknown): number {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d{1,16}$/.test(v) ? Number(v) : NaN;
  if (!Number.isInteger(n) || n < 0 || n > MAX_RANGE) throw invalid("Invalid 'content-length-range' condition: bounds must be non-negative integers.");
  return n;
}

function render(op: string, field: string, value: string): string {
  return `[${JSON.stringify(op)}, ${JSON.stringify(field)}, ${JSON.stringify(value)}]`;
}
