/**
 * IAM's wildcards: `*` any run of characters (slashes included), `?` any one character; everything
 * else literal. Compiled once into an anchored RegExp.
 */
export function globToRegExp(pattern: string, ignoreCase = false): RegExp {
  let src = '^';
  for (const ch of pattern) {
    if (ch === '*') src += '[\\s\\S]*';
    else if (ch === '?') src += '[\\s\\S]';
    else src += ch.replace(/[.+^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(src + '$', ignoreCase ? 'iu' : 'u');
}

export function hasWildcard(s: string): boolean {
  return s.includes('*') || s.includes('?');
}

const VARIABLE = /\$\{([^}]*)\}/g;

/** The policy variables a string uses (`${aws:username}` → `aws:username`; `${*}`, `${?}`, `${$}` excluded). */
export function variablesIn(s: string): string[] {
  const out: string[] = [];
  for (const m of s.matchAll(VARIABLE)) if (!['*', '?', '$'].includes(m[1])) out.push(m[1]);
  return out;
}

export function hasVariables(s: string): boolean {
  return s.includes('${');
}

/**
 * Replaces policy variables with the request's values (Version 2012-10-17 only). `${*}`, `${?}` and `${$}`
 * are the literal characters, escaped from wildcard meaning by `literal`. Returns undefined when a variable
 * has no single value in the request: the element then matches nothing, as in IAM.
 */
export function substituteVariables(
  s: string,
  lookup: (key: string) => readonly string[] | undefined,
  literal: (ch: string) => string,
): string | undefined {
  let missing = false;
  const out = s.replace(VARIABLE, (_m, name: string) => {
    if (name === '*' || name === '?' || name === '$') return literal(name);
    const v = lookup(name.toLowerCase());
    if (v === undefined || v.length !== 1) {
      missing = true;
      return '';
    }
    return v[0];
  });
  return missing ? undefined : out;
}
