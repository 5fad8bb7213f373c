import { S3Error } from '../errors';
import { childrenByName, leafText, malformedXml, readXmlDocument, type XmlElement } from './xml-reader';
import { formatTimestamp, XmlWriter } from './xml-writer';

/**
 * S3 Object Lock's three documents: a bucket's configuration (PutObjectLockConfiguration's body,
 * GetObjectLockConfiguration's answer), an object version's retention (Put/GetObjectRetention) and its legal hold
 * (Put/GetObjectLegalHold), with the retain-until dates they and the `x-amz-object-lock-*` headers carry.
 *
 * Validated in AWS's order, with AWS's codes, so a client learns of a bad document before anything else:
 * whatever breaks the schema is MalformedXML (a missing or other ObjectLockEnabled, a Rule without a
 * DefaultRetention, a missing or unknown Mode, Days and Years together or neither, a Retention with only one of
 * Mode and RetainUntilDate, an unreadable date, a legal hold Status other than ON/OFF, unknown or repeated
 * elements). Only then is a period that is not positive, or longer than S3 allows, InvalidArgument; only then is
 * what this service cannot do refused: event holds (2026-09, S3's variable retention) are NotImplemented, never
 * stored as if they held anything. Sources: LocalStack's snapshots recorded against S3 (2025-01), ceph s3-tests,
 * and S3's own answers quoted in versitygw and storj issues (2024-11 to 2026-01).
 */
export type ObjectLockMode = 'GOVERNANCE' | 'COMPLIANCE';

/** A bucket's default retention: a mode and exactly one of Days and Years. */
export interface DefaultRetention {
  readonly Mode: ObjectLockMode;
  readonly Days?: number;
  readonly Years?: number;
}

/** `ObjectLockEnabled` can only be `Enabled`: S3 has no way to turn Object Lock off once it is on. */
export interface ObjectLockConfiguration {
  readonly ObjectLockEnabled: 'Enabled';
  readonly DefaultRetention?: DefaultRetention;
}

/**
 * A version's retention as PutObjectRetention sends it. Both absent is an empty `<Retention/>`: with
 * `x-amz-bypass-governance-retention: true` it removes a GOVERNANCE retention (the user guide's "placing a new
 * PutObjectRetention request with empty parameters"); whether that is allowed is the handler's call.
 */
export interface ObjectRetention {
  readonly Mode?: ObjectLockMode;
  /** Milliseconds since the epoch; S3 keeps and answers milliseconds. */
  readonly RetainUntilDate?: number;
}

export type LegalHoldStatus = 'ON' | 'OFF';

const MODES: ReadonlySet<string> = new Set(['GOVERNANCE', 'COMPLIANCE']);
const ON_OFF: ReadonlySet<string> = new Set(['ON', 'OFF']);
/** S3's longest retention, 100 years, in either unit (the user guide; MinIO and versitygw enforce the same). */
const MAX_DAYS = 36500;
const MAX_YEARS = 100;
/**
 * S3's own messages: the first quoted from S3's answer in versitygw#1738 (2026-01, with ArgumentName Days and no
 * ArgumentValue); the second as reported from S3 for Days 999999999 (storj/edge#528, 2024-11).
 */
const PERIOD_NOT_POSITIVE = 'Default retention period must be a positive integer value.';
const PERIOD_TOO_LARGE = 'Default retention period too large.';
const EVENT_HOLDS = 'Object Lock event holds are not supported by this service';
const RETAIN_UNTIL_HEADER = 'x-amz-object-lock-retain-until-date';

/**
 * PutObjectLockConfiguration's body. Without a Rule the configuration only enables Object Lock, which is also how
 * a bucket's default retention is removed (S3 has no DeleteObjectLockConfiguration).
 */
export function parseObjectLockConfiguration(body: string | Uint8Array): ObjectLockConfiguration {
  const root = childrenByName(readXmlDocument(body, 'ObjectLockConfiguration'), ['ObjectLockEnabled', 'Rule']);
  const enabled = root.get('ObjectLockEnabled');
  if (enabled === undefined || leafText(enabled).trim() !== 'Enabled') throw malformedXml();
  const ruleEl = root.get('Rule');
  if (ruleEl === undefined) return { ObjectLockEnabled: 'Enabled' };

  const rule = childrenByName(ruleEl, ['DefaultRetention']);
  const retentionEl = rule.get('DefaultRetention');
  if (retentionEl === undefined) throw malformedXml();
  const retention = childrenByName(retentionEl, ['Mode', 'Days', 'Years', 'DefaultEventHold']);
  const mode = readMode(retention.get('Mode'));
  if (mode === undefined) throw malformedXml();
  const period = readPeriod(retention.get('Days'), retention.get('Years'));
  const eventHold = retention.get('DefaultEventHold');
  if (eventHold !== undefined) readEventHoldDuration(eventHold);
  // An event hold may stand alone ("you can set one or both"); a plain default needs its period.
  if (period === undefined && eventHold === undefined) throw malformedXml();

  if (period !== undefined) checkPeriod(period);
  if (eventHold !== undefined) throw new S3Error('NotImplemented', EVENT_HOLDS);
  const p = period as Period;
  const DefaultRetention: DefaultRetention = p.unit === 'Days' ? { Mode: mode, Days: p.value } : { Mode: mode, Years: p.value };
  return { ObjectLockEnabled: 'Enabled', DefaultRetention };
}

/** GetObjectLockConfiguration's answer: ObjectLockEnabled, and the Rule when the bucket has a default retention. */
export function buildObjectLockConfiguration(c: ObjectLockConfiguration): string {
  const w = new XmlWriter('ObjectLockConfiguration').text('ObjectLockEnabled', c.ObjectLockEnabled);
  const d = c.DefaultRetention;
  if (d !== undefined) {
    w.open('Rule').open('DefaultRetention').text('Mode', d.Mode);
    if (d.Days !== undefined) w.int('Days', d.Days);
    else w.int('Years', d.Years as number);
    w.close('DefaultRetention').close('Rule');
  }
  return w.end();
}

/**
 * PutObjectRetention's body. A date S3 cannot read is MalformedXML here (unlike the header, which has its own
 * InvalidArgument); a date in the past is the handler's to refuse, after the bucket and version are found, with
 * `assertRetainUntilDateInFuture`.
 */
export function parseObjectRetention(body: string | Uint8Array): ObjectRetention {
  const root = childrenByName(readXmlDocument(body, 'Retention'), ['Mode', 'RetainUntilDate', 'EventHold', 'EventHoldDuration']);
  const modeEl = root.get('Mode');
  const mode = readMode(modeEl);
  if (modeEl !== undefined && mode === undefined) throw malformedXml();
  const dateEl = root.get('RetainUntilDate');
  let date: number | undefined;
  if (dateEl !== undefined) {
    date = iso8601Millis(leafText(dateEl).trim());
    if (Number.isNaN(date)) throw malformedXml();
  }
  const eventHold = root.get('EventHold');
  if (eventHold !== undefined && !ON_OFF.has(leafText(eventHold).trim())) throw malformedXml();
  const duration = root.get('EventHoldDuration');
  if (duration !== undefined) readEventHoldDuration(duration);
  if (eventHold !== undefined || duration !== undefined) throw new S3Error('NotImplemented', EVENT_HOLDS);
  // A mode without a date, or a date without a mode, is no retention S3 can apply.
  if ((mode === undefined) !== (date === undefined)) throw malformedXml();
  return mode === undefined ? {} : { Mode: mode, RetainUntilDate: date as number };
}

/** GetObjectRetention's answer; the date in S3's form, ISO 8601 in UTC with milliseconds. */
export function buildObjectRetention(r: { Mode: ObjectLockMode; RetainUntilDate: number }): string {
  return new XmlWriter('Retention').text('Mode', r.Mode).text('RetainUntilDate', formatTimestamp(r.RetainUntilDate)).end();
}

/** PutObjectLegalHold's body: a Status other than exactly ON or OFF (lower case included) is MalformedXML. */
export function parseObjectLegalHold(body: string | Uint8Array): LegalHoldStatus {
  const status = childrenByName(readXmlDocument(body, 'LegalHold'), ['Status']).get('Status');
  const value = status === undefined ? '' : leafText(status).trim();
  if (!ON_OFF.has(value)) throw malformedXml();
  return value as LegalHoldStatus;
}

/** GetObjectLegalHold's answer. */
export function buildObjectLegalHold(status: LegalHoldStatus): string {
  return new XmlWriter('LegalHold').text('Status', status).end();
}

/**
 * `x-amz-object-lock-retain-until-date` → milliseconds since the epoch. S3 takes ISO 8601 date-times with or
 * without fractional seconds (kept to the millisecond, as S3 keeps them), in UTC (`Z`) or with an offset. Anything
 * else is S3's InvalidArgument naming the header and echoing the value, answered before the bucket is looked at.
 * A RetainUntilDate element that does not parse is MalformedXML instead (`parseObjectRetention`).
 */
export function parseRetainUntilDate(text: string): number {
  const ms = iso8601Millis(text.trim());
  if (Number.isNaN(ms)) {
    throw new S3Error('InvalidArgument', 'The retain until date must be provided in ISO 8601 format', {
      ArgumentName: RETAIN_UNTIL_HEADER,
      ArgumentValue: text,
    });
  }
  return ms;
}

/**
 * S3 refuses a retain-until date that is not in the future with InvalidArgument, "The retain until date must be in
 * the future!". From the header (`headerText` given) it names the header and echoes the value as sent; from a
 * PutObjectRetention body it names `RetainUntilDate` and renders the date as S3 does there, Java's
 * `Date.toString()` in US Pacific time (`Tue Dec 31 16:00:00 PST 2019`), whatever the bucket's region.
 */
export function assertRetainUntilDateInFuture(retainUntil: number, now: number, headerText?: string): void {
  if (retainUntil > now) return;
  const extra =
    headerText === undefined
      ? { ArgumentName: 'RetainUntilDate', ArgumentValue: pacificDateString(retainUntil) }
      : { ArgumentName: RETAIN_UNTIL_HEADER, ArgumentValue: headerText };
  throw new S3Error('InvalidArgument', 'The retain until date must be in the future!', extra);
}

type Period = { readonly unit: 'Days' | 'Years'; readonly value: number };

/** A Mode element's value, or undefined when absent or not one of S3's two (upper case only, as S3 checks). */
function readMode(el: XmlElement | undefined): ObjectLockMode | undefined {
  if (el === undefined) return undefined;
  const v = leafText(el).trim();
  return MODES.has(v) ? (v as ObjectLockMode) : undefined;
}

/** Days or Years, as an xsd:int; both present is MalformedXML even when one of them is 0 (aws-sdk-js#2747). */
function readPeriod(days: XmlElement | undefined, years: XmlElement | undefined): Period | undefined {
  if (days !== undefined && years !== undefined) throw malformedXml();
  if (days !== undefined) return { unit: 'Days', value: readInt(days) };
  if (years !== undefined) return { unit: 'Years', value: readInt(years) };
  return undefined;
}

/** A well-formed period S3 still refuses: not positive, or longer than 100 years. */
function checkPeriod(p: Period): void {
  if (p.value <= 0) throw new S3Error('InvalidArgument', PERIOD_NOT_POSITIVE, { ArgumentName: p.unit });
  if (p.value > (p.unit === 'Days' ? MAX_DAYS : MAX_YEARS)) throw new S3Error('InvalidArgument', PERIOD_TOO_LARGE, { ArgumentName: p.unit });
}

/** An EventHoldDuration / DefaultEventHold: `<Days/>` or `<Years/>`, checked as schema only (refused after). */
function readEventHoldDuration(el: XmlElement): void {
  const d = childrenByName(el, ['Days', 'Years']);
  if (readPeriod(d.get('Days'), d.get('Years')) === undefined) throw malformedXml();
}

const INT = /^[+-]?\d+$/;

/** xsd:int, whitespace-collapsed: anything else (a fraction, a word, a value past 32 bits) is schema-invalid. */
function readInt(el: XmlElement): number {
  const v = leafText(el).trim();
  if (!INT.test(v)) throw malformedXml();
  const n = Number(v);
  if (n < -2147483648 || n > 2147483647) throw malformedXml();
  return n;
}

const ISO_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:(Z)|([+-])(\d{2}):?(\d{2}))$/;

/**
 * An ISO 8601 date-time with a zone → milliseconds, or NaN. Fields are range-checked (no 2027-02-30, no hour 24),
 * since `Date` would roll them over silently; fractions past the millisecond are cut, not rounded.
 */
function iso8601Millis(text: string): number {
  const m = ISO_DATE_TIME.exec(text);
  if (m === null) return NaN;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number);
  const ms = m[7] === undefined ? 0 : Number(m[7].slice(0, 3).padEnd(3, '0'));
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59 || second > 59) return NaN;
  let offsetMinutes = 0;
  if (m[8] === undefined) {
    const oh = Number(m[10]);
    const om = Number(m[11]);
    if (oh > 23 || om > 59) return NaN;
    offsetMinutes = (m[9] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day); // setUTCFullYear keeps years 0-99 as written (Date.UTC would add 1900)
  d.setUTCHours(hour, minute, second, ms);
  return d.getTime() - offsetMinutes * 60_000;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

const PACIFIC = new Intl.DateTimeFormat('en-US', {
  timeZone: 'America/Los_Angeles',
  weekday: 'short',
  month: 'short',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
  year: 'numeric',
  timeZoneName: 'short',
});

/** Java's `Date.toString()` in US Pacific time: `EEE MMM dd HH:mm:ss zzz yyyy`. */
function pacificDateString(ms: number): string {
  const parts = new Map(PACIFIC.formatToParts(new Date(ms)).map((p) => [p.type, p.value]));
  const get = (type: Intl.DateTimeFormatPartTypes): string => parts.get(type) ?? '';
  return `${get('weekday')} ${get('month')} ${get('day')} ${get('hour')}:${get('minute')}:${get('second')} ${get('timeZoneName')} ${get('year')}`;
}
