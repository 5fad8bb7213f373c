import { cidrContains, ipBytes, parseCidr } from './ip-match';
import type { BucketPolicyCondition } from './policy-types';
import { globToRegExp, hasVariables, substituteVariables } from './wildcard';

/**
 * IAM condition operators: `[ForAnyValue:|ForAllValues:]<Base>[IfExists]`. Semantics as IAM documents them:
 * several values for one key are ORed; a key absent from the request makes a positive operator false and a
 * negated one (`…Not…`) true; `…IfExists` is true when the key is absent; `Null` tests presence;
 * `ForAllValues` is true for an absent key, `ForAnyValue` false.
 */
type Kind = 'string' | 'numeric' | 'date' | 'bool' | 'binary' | 'ip' | 'arn' | 'null';
type Compare = 'eq' | 'lt' | 'le' | 'gt' | 'ge' | 'like' | 'eqi';

interface BaseOperator {
  readonly kind: Kind;
  readonly compare: Compare;
  readonly negated: boolean;
}

const BASES: Readonly<Record<string, BaseOperator>> = {
  StringEquals: { kind: 'string', compare: 'eq', negated: false },
  StringNotEquals: { kind: 'string', compare: 'eq', negated: true },
  StringEqualsIgnoreCase: { kind: 'string', compare: 'eqi', negated: false },
  StringNotEqualsIgnoreCase: { kind: 'string', compare: 'eqi', negated: true },
  StringLike: { kind: 'string', compare: 'like', negated: false },
  StringNotLike: { kind: 'string', compare: 'like', negated: true },
  NumericEquals: { kind: 'numeric', compare: 'eq', negated: false },
  NumericNotEquals: { kind: 'numeric', compare: 'eq', negated: true },
  NumericLessThan: { kind: 'numeric', compare: 'lt', negated: false },
  NumericLessThanEquals: { kind: 'numeric', compare: 'le', negated: false },
  NumericGreaterThan: { kind: 'numeric', compare: 'gt', negated: false },
  NumericGreaterThanEquals: { kind: 'numeric', compare: 'ge', negated: false },
  DateEquals: { kind: 'date', compare: 'eq', negated: false },
  DateNotEquals: { kind: 'date', compare: 'eq', negated: true },
  DateLessThan: { kind: 'date', compare: 'lt', negated: false },
  DateLessThanEquals: { kind: 'date', compare: 'le', negated: false },
  DateGreaterThan: { kind: 'date', compare: 'gt', negated: false },
  DateGreaterThanEquals: { kind: 'date', compare: 'ge', negated: false },
  Bool: { kind: 'bool', compare: 'eq', negated: false },
  BinaryEquals: { kind: 'binary', compare: 'eq', negated: false },
  IpAddress: { kind: 'ip', compare: 'eq', negated: false },
  NotIpAddress: { kind: 'ip', compare: 'eq', negated: true },
  ArnEquals: { kind: 'arn', compare: 'like', negated: false },
  ArnLike: { kind: 'arn', compare: 'like', negated: false },
  ArnNotEquals: { kind: 'arn', compare: 'like', negated: true },
  ArnNotLike: { kind: 'arn', compare: 'like', negated: true },
  Null: { kind: 'null', compare: 'eq', negated: false },
};

export interface ParsedOperator extends BaseOperator {
  readonly base: string;
  readonly ifExists: boolean;
  readonly set?: 'any' | 'all';
}

/** The operator's parts, or undefined when IAM does not know it. */
export function parseOperator(op: string): ParsedOperator | undefined {
  const qualifier = /^(ForAnyValue|ForAllValues):/.exec(op);
  const set = qualifier ? (qualifier[1] === 'ForAnyValue' ? 'any' : 'all') : undefined;
  let rest = qualifier ? op.slice(qualifier[0].length) : op;
  const ifExists = rest.endsWith('IfExists') && rest !== 'IfExists';
  if (ifExists) rest = rest.slice(0, -'IfExists'.length);
  const base = BASES[rest];
  if (!base || (base.kind === 'null' && (ifExists || set))) return undefined;
  return { ...base, base: rest, ifExists, ...(set && { set }) };
}

/** Why a policy value cannot be used with this operator, or undefined when it can. */
export function invalidValue(op: ParsedOperator, value: string): string | undefined {
  const ok = ((): boolean => {
    switch (op.kind) {
      case 'numeric':
        return parseNumber(value) !== undefined;
      case 'date':
        return parseDate(value) !== undefined;
      case 'bool':
      case 'null':
        return /^(true|false)$/i.test(value);
      case 'ip':
        return parseCidr(value) !== undefined;
      case 'binary':
        return /^[A-Za-z0-9+/]*={0,2}$/.test(value);
      default:
        return true;
    }
  })();
  return ok ? undefined : `Invalid Condition value for ${op.base}: ${value}`;
}

export type ContextLookup = (key: string) => readonly string[] | undefined;

/** A compiled condition: true when the request satisfies it. */
export type ConditionTest = (lookup: ContextLookup, variables: boolean) => boolean;

export function compileCondition(c: BucketPolicyCondition): ConditionTest {
  const op = parseOperator(c.operator);
  if (!op) throw new Error(`stored policy has an unknown condition operator ${c.operator}`);
  const matchers = c.values.map((v) => valueMatcher(op, v));
  const matchesAny = (requestValue: string, lookup: ContextLookup, variables: boolean): boolean =>
    matchers.some((m) => m(requestValue, lookup, variables));
  return (lookup, variables) => {
    const got = lookup(c.key);
    const absent = got === undefined || got.length === 0;
    if (op.kind === 'null') return c.values.some((v) => (v.toLowerCase() === 'true') === absent);
    if (op.set === 'all') {
      if (absent) return true;
      return got.every((r) => matchesAny(r, lookup, variables) !== op.negated);
    }
    if (op.set === 'any') {
      if (absent) return op.ifExists;
      return got.some((r) => matchesAny(r, lookup, variables) !== op.negated);
    }
    if (absent) return op.ifExists || op.negated;
    const hit = got.some((r) => matchesAny(r, lookup, variables));
    return op.negated ? !hit : hit;
  };
}

type ValueMatcher = (requestValue: string, lookup: ContextLookup, variables: boolean) => boolean;

function valueMatcher(op: ParsedOperator, policyValue: string): ValueMatcher {
  switch (op.kind) {
    case 'numeric': {
      const p = parseNumber(policyValue)!;
      return (r) => {
        const n = parseNumber(r);
        return n !== undefined && compare(n, p, op.compare);
      };
    }
    case 'date': {
      const p = parseDate(policyValue)!;
      return (r) => {
        const d = parseDate(r);
        return d !== undefined && compare(d, p, op.compare);
      };
    }
    case 'bool':
      return (r) => r.toLowerCase() === policyValue.toLowerCase();
    case 'binary':
      return (r) => r === policyValue;
    case 'ip': {
      const cidr = parseCidr(policyValue)!;
      return (r) => {
        const b = ipBytes(r);
        return b !== undefined && cidrContains(cidr, b);
      };
    }
    default:
      return stringMatcher(op.compare, policyValue);
  }
}

/** String / ARN comparison; policy variables (`${aws:username}`) are substituted when the version allows. */
function stringMatcher(cmp: Compare, policyValue: string): ValueMatcher {
  const build = (v: string): ((r: string) => boolean) => {
    if (cmp === 'like') {
      const re = globToRegExp(v);
      return (r) => re.test(r);
    }
    if (cmp === 'eqi') {
      const lower = v.toLowerCase();
      return (r) => r.toLowerCase() === lower;
    }
    return (r) => r === v;
  };
  const fixed = build(policyValue);
  if (!hasVariables(policyValue)) return (r) => fixed(r);
  return (r, lookup, variables) => {
    if (!variables) return fixed(r);
    const literal = (ch: string): string => (cmp === 'like' && ch !== '$' ? `\u0000${ch}` : ch);
    const v = substituteVariables(policyValue, lookup, literal);
    if (v === undefined) return false;
    if (cmp !== 'like' || !v.includes('\u0000')) return build(v)(r);
    // `${*}` / `${?}` are literal characters even in a Like pattern.
    const parts = v.split(/\u0000([*?])/);
    const re = new RegExp(
      '^' +
        parts
          .map((p, i) => (i % 2 === 1 ? `\\${p}` : globToRegExp(p).source.slice(1, -1)))
          .join('') +
        '$',
      'u',
    );
    return re.test(r);
  };
}

function compare(a: number, b: number, cmp: Compare): boolean {
  switch (cmp) {
    case 'lt':
      return a < b;
    case 'le':
      return a <= b;
    case 'gt':
      return a > b;
    case 'ge':
      return a >= b;
    default:
      return a === b;
  }
}

function parseNumber(s: string): number | undefined {
  return /^-?[0-9]+(\.[0-9]+)?$/.test(s) ? Number(s) : undefined;
}

/** ISO 8601 (`2026-01-01`, `2026-01-01T00:00:00Z`) or epoch seconds. */
export function parseDate(s: string): number | undefined {
  if (/^[0-9]{1,12}$/.test(s)) return Number(s) * 1000;
  if (!/^[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9:.]+(Z|[+-][0-9]{2}:?[0-9]{2})?)?$/.test(s)) return undefined;
  const t = Date.parse(s);
  return Number.isNaN(t) ? undefined : t;
}
