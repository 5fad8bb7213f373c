/** Request headers as Node gives them; names may be in any case. Use `req.headersDistinct` to keep repeats. */
export type RawHeaders = Readonly<Record<string, string | readonly string[] | undefined>>;

/** Headers by lowercase name, every value kept in arrival order. */
export type HeaderMap = ReadonlyMap<string, readonly string[]>;

export function toHeaderMap(headers: RawHeaders): HeaderMap {
  const map = new Map<string, string[]>();
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
