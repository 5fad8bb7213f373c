/** Request headers as Node gives them; names may be in any case. Use `req.headersDistinct` to keep repeats. */
export type RawHeaders = Readonly<Record<string, string | readonly string[] | undefined>>;

/**
 * Node's flat `req.rawHeaders`: name, value, name, value... in arrival order, repeats kept. The
 * cheapest form to read: Node builds `headersDistinct` from it on first use (a pass, and an array per
 * header) that `toHeaderMap` then walked again.
 */
export type RawHeaderList = readonly string[];

/** Headers by lowercase name, every value kept in arrival order. */
export type HeaderMap = ReadonlyMap<string, readonly string[]>;

export function toHeaderMap(headers: RawHeaders | RawHeaderList): HeaderMap {
  const map = new Map<string, string[]>();
  if (isHeaderList(headers)) {
    for (let i = 0; i + 1 < headers.length; i += 2) {
      const key = headers[i].toLowerCase();
      const existing = map.get(key);
      if (existing) existing.push(headers[i + 1]);
      else map.set(key, [headers[i + 1]]);
    }
    return map;
  }
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const key = name.toLowerCase();
    const values = typeof value === 'string' ? [value] : [...value];
    const existing = map.get(key);
    if (existing) existing.push(...values);
    else map.set(key, values);
  }
  return map;
}

/** The single value of a header (repeats joined with ','), or undefined when absent. */
export function headerValue(headers: HeaderMap, name: string): string | undefined {
  const values = headers.get(name);
  return values === undefined ? undefined : values.length === 1 ? values[0] : values.join(',');
}

function isHeaderList(headers: RawHeaders | RawHeaderList): headers is RawHeaderList {
  return Array.isArray(headers);
}
