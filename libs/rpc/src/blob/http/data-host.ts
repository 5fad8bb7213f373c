/**
 * The host a gRPC target dials, where the same replica's data path listens (DescribeResponse.data_port
 * is a port on that host): `host:port`, `[v6]:port`, `dns:///host:port` (also `dns://authority/host:port`)
 * and `ipv4:`/`ipv6:` with one address. Undefined when the target names several addresses (which of
 * them answered Describe is unknown) or a unix socket: such a target keeps its bodies on gRPC.
 */
export function dataHostOf(target: string): string | undefined {
  let t = target.trim();
  if (t.startsWith('unix:')) return undefined;
  if (t.startsWith('ipv4:') || t.startsWith('ipv6:')) {
    const list = t.slice(5).split(',');
    if (list.length !== 1) return undefined;
    t = list[0];
  } else if (t.startsWith('dns:')) {
    t = t.slice(4).replace(/^\/\/[^/]*\//, '').replace(/^\/+/, '');
  }
  const m = /^\[([0-9a-fA-F:.]+)\]:\d{1,5}$/.exec(t) ?? /^([A-Za-z0-9.-]+):\d{1,5}$/.exec(t);
  return m ? m[1] : undefined;
}
