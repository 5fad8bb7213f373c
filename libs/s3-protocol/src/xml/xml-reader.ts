import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { S3Error } from '../errors';

/**
 * Strict reading of S3 request documents into a tiny element tree. Every failure is `S3Error('MalformedXML')`,
 * what AWS answers for XML that is not well-formed or does not fit its schema.
 *
 * - The caller bounds the body size before calling (AWS: 1000 keys for Delete, 10000 parts for
 *   CompleteMultipartUpload); this module reads whatever it is given.
 * - DOCTYPE and entity declarations are rejected outright (no XXE, no entity expansion).
 * - Text is kept exactly: no trimming, no number or boolean parsing, so a key `0012` or ` a ` stays as is.
 *   The five predefined entities and numeric character references are decoded here, not by the parser, so an
 *   unknown entity (`&nbsp;`) is an error rather than passed through. Character references may name any
 *   code point but NUL, surrogates and U+FFFE/U+FFFF (XML 1.1's rule), so keys we list as `&#x1;` can be sent
 *   back in a Delete. Raw control characters are rejected, as XML 1.0 requires.
 * - Line ends are normalized as XML requires (CR LF and CR become LF); a CR in a key must be sent as `&#13;`.
 * - Namespace prefixes and attributes (`xmlns`) are ignored; comments and processing instructions are skipped.
 */
export interface XmlElement {
  readonly name: string;
  readonly children: readonly XmlElement[];
  /** Decoded character data directly inside this element (text and CDATA), in document order. */
  readonly text: string;
}

export function malformedXml(): S3Error {
  return new S3Error('MalformedXML');
}

const PARSER = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: true,
  removeNSPrefix: true,
  parseTagValue: false,
  trimValues: false,
  processEntities: false,
  htmlEntities: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  cdataPropName: '#cdata',
  maxNestedTags: 16,
});

const RAW_FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const DECLARATIONS = /<!DOCTYPE|<!ENTITY/i;
const ENTITY = /&(?:#x([0-9A-Fa-f]+)|#([0-9]+)|([A-Za-z_][\w.-]*))?(;?)/g;
const PREDEFINED = new Map([
  ['amp', '&'],
  ['lt', '<'],
  ['gt', '>'],
  ['quot', '"'],
  ['apos', "'"],
]);
const WHITESPACE = /^[ \t\n\r]*$/;
const DECODER = new TextDecoder('utf-8', { fatal: true });

/** True when the body is empty or only whitespace (some requests allow no document at all). */
export function isBlankBody(body: string | Uint8Array): boolean {
  return body.length === 0 || WHITESPACE.test(toText(body));
}

/** Parses `body` and returns its root element, which must be named `rootName`. */
export function readXmlDocument(body: string | Uint8Array, rootName: string): XmlElement {
  const text = toText(body);
  if (RAW_FORBIDDEN.test(text) || DECLARATIONS.test(text)) throw malformedXml();
  // The parser drops text after the root element; XML allows only whitespace there.
  if (!WHITESPACE.test(text.slice(text.lastIndexOf('>') + 1))) throw malformedXml();
  let nodes: unknown;
  try {
    if (XMLValidator.validate(text) !== true) throw malformedXml();
    nodes = PARSER.parse(text);
  } catch {
    throw malformedXml();
  }
  const top = convertChildren(nodes, '');
  if (top.children.length !== 1 || !WHITESPACE.test(top.text)) throw malformedXml();
  const root = top.children[0];
  if (root.name !== rootName) throw malformedXml();
  return root;
}

/** The text of a leaf element; an element with child elements where text belongs is schema-invalid. */
export function leafText(el: XmlElement): string {
  if (el.children.length > 0) throw malformedXml();
  return el.text;
}

/** Checks that a container element holds nothing but whitespace between its children. */
export function assertContainer(el: XmlElement): void {
  if (!WHITESPACE.test(el.text)) throw malformedXml();
}

/** The children of a container that may hold each of `allowed` at most once (anything else is MalformedXML). */
export function childrenByName(parent: XmlElement, allowed: readonly string[]): Map<string, XmlElement> {
  assertContainer(parent);
  const out = new Map<string, XmlElement>();
  for (const c of parent.children) {
    if (!allowed.includes(c.name) || out.has(c.name)) throw malformedXml();
    out.set(c.name, c);
  }
  return out;
}

/** xsd:boolean, whitespace-collapsed: `true`, `false`, `1`, `0`. */
export function parseXmlBoolean(raw: string): boolean {
  const v = raw.trim();
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  throw malformedXml();
}

function toText(body: string | Uint8Array): string {
  let text: string;
  if (typeof body === 'string') text = body;
  else {
    try {
      text = DECODER.decode(body);
    } catch {
      throw malformedXml();
    }
  }
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

function decodeEntities(raw: string): string {
  if (!raw.includes('&')) return raw;
  return raw.replace(ENTITY, (_m, hex: string | undefined, dec: string | undefined, name: string | undefined, semi: string) => {
    if (semi !== ';') throw malformedXml();
    if (name !== undefined) {
      const c = PREDEFINED.get(name);
      if (c === undefined) throw malformedXml();
      return c;
    }
    if (hex === undefined && dec === undefined) throw malformedXml();
    const cp = hex !== undefined ? parseInt(hex, 16) : parseInt(dec as string, 10);
    const ok = (cp >= 1 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff);
    if (!ok) throw malformedXml();
    return String.fromCodePoint(cp);
  });
}

/** Turns fast-xml-parser's ordered output (`[{ Tag: [...] }, { '#text': '…' }]`) into `XmlElement`s. */
function convertChildren(nodes: unknown, name: string): XmlElement {
  if (!Array.isArray(nodes)) throw malformedXml();
  const children: XmlElement[] = [];
  let text = '';
  for (const node of nodes) {
    if (typeof node !== 'object' || node === null) throw malformedXml();
    for (const [key, value] of Object.entries(node)) {
      if (key === ':@') continue;
      if (key === '#text') text += decodeEntities(String(value));
      else if (key === '#cdata') text += cdataText(value);
      else if (key.startsWith('?')) continue;
      else children.push(convertChildren(value, key));
    }
  }
  return { name, children, text };
}

function cdataText(value: unknown): string {
  if (!Array.isArray(value)) throw malformedXml();
  let text = '';
  for (const part of value) {
    if (typeof part !== 'object' || part === null) throw malformedXml();
    const t: unknown = (part as Record<string, unknown>)['#text'];
    if (typeof t === 'string') text += t;
  }
  return text;
}
