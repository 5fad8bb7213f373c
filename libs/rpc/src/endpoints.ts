/**
 * `MASSIVE_METADATA_ENDPOINTS` / `MASSIVE_BLOB_ENDPOINTS`: a comma-separated list of gRPC targets,
 * each `host:port`, `dns:///host:port` (every address the name resolves to, round-robin) or
 * `ipv4:a:port,b:port`. Returns the targets (one channel each) or throws with a clear message.
 */
export function parseEndpoints(raw: string, what: string): string[] {
  const list = raw.startsWith('ipv4:') || raw.startsWith('ipv6:') ? [raw.trim()] : raw.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (list.length === 0) throw new Error(`${what}: no endpoint given`);
  for (const t of list) {
    if (/^(dns|ipv4|ipv6|unix):/.test(t)) continue;
    const m = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(t);
    if (!m || Number(m[2]) < 1 || Number(m[2]) > 65535) {
      throw new Error(`${what}: '${t}' is not host:port, dns:///host:port or ipv4:addr:port[,addr:port]`);
    }
  }
  return list;
}
