import { XMLParser, XMLValidator } from 'fast-xml-parser';

/** Spec helpers: prove a built document is well-formed and look inside it with an independent parser. */

const PROLOG = '<?xml version="1.0" encoding="UTF-8"?>\n';

/** Validates `xml` with fast-xml-parser and returns it parsed (text kept verbatim, attributes under `@_`). */
export function parseBack(xml: string): any {
  expect(xml.startsWith(PROLOG)).toBe(true);
  expect(XMLValidator.validate(xml)).toBe(true);
  return new XMLParser({ ignoreAttributes: false, parseTagValue: false, trimValues: false, htmlEntities: true }).parse(xml);
}

/** Names of the root element's children (or of the first element at `path` below it), in document order. */
export function childNames(xml: string, ...path: string[]): string[] {
  const ordered = new XMLParser({ preserveOrder: true, ignoreAttributes: true, ignoreDeclaration: true }).parse(xml) as any[];
  let nodes: any[] = Object.values(ordered[0])[0] as any[];
  for (const step of path) nodes = nodes.find((n) => step in n)[step];
  return nodes.map((n) => Object.keys(n).find((k) => k !== ':@')!).filter((k) => k !== '#text');
}

export const T0 = new Date('2009-10-12T17:50:30.000Z');
export const T1 = new Date('2024-02-29T23:59:59.123Z');
