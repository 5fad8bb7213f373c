import { isIP } from 'node:net';

/** A parsed CIDR block: address bytes (4 or 16) and prefix length. */
export interface Cidr {
  readonly bytes: Uint8Array;
  readonly prefix: number;
}

/** `10.0.0.0/8`, `192.0.2.1` (a /32), `2001:db8::/32`; undefined when not an address or CIDR. */
export function parseCidr(s: string): Cidr | undefined {
  const slash = s.indexOf('/');
  const addr = slash < 0 ? s : s.slice(0, slash);
  const bytes = ipBytes(addr);
  if (!bytes) return undefined;
  const max = bytes.length * 8;
  if (slash < 0) return { bytes, prefix: max };
  const p = s.slice(slash + 1);
  if (!/^[0-9]{1,3}$/.test(p) || Number(p) > max) return undefined;
  return { bytes, prefix: Number(p) };
}

/** The bytes of an IPv4 or IPv6 address; IPv4-mapped IPv6 (`::ffff:1.2.3.4`) is its IPv4 address. */
export function ipBytes(addr: string): Uint8Array | undefined {
  const kind = isIP(addr);
  if (kind === 4) return Uint8Array.from(addr.split('.').map(Number));
  if (kind !== 6) return undefined;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(addr);
  if (mapped) return ipBytes(mapped[1]);
  const [head, tail] = addr.includes('::') ? addr.split('::') : [addr, undefined];
  const groups = (part: string): number[] => {
    if (part === '') return [];
    const out: number[] = [];
    for (const g of part.split(':')) {
      if (g.includes('.')) {
        const v4 = ipBytes(g)!;
        out.push((v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]);
      } else out.push(parseInt(g, 16));
    }
    return out;
  };
  const h = groups(head ?? '');
  const t = tail === undefined ? [] : groups(tail);
  const fill = tail === undefined ? [] : new Array<number>(8 - h.length - t.length).fill(0);
  const all = [...h, ...fill, ...t];
  const bytes = new Uint8Array(16);
  all.forEach((g, i) => {
    bytes[2 * i] = g >> 8;
    bytes[2 * i + 1] = g & 0xff;
  });
  return bytes;
}

export function cidrContains(c: Cidr, addr: Uint8Array): boolean {
  if (c.bytes.length !== addr.length) return false;
  let bits = c.prefix;
  for (let i = 0; bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((c.bytes[i] & mask) !== (addr[i] & mask)) return false;
  }
  return true;
}
