import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A throwaway CA and a server certificate it signed for `localhost` / 127.0.0.1 (PEM file paths). */
export interface TestServerCert {
  /** The directory holding the files: remove it when done. */
  readonly dir: string;
  readonly caPem: Buffer;
  readonly certFile: string;
  readonly keyFile: string;
}

function openssl(args: string[], cwd: string): void {
  try {
    execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stderr?: Buffer };
    // Never skipped: CI must have Debian's openssl, or this spec fails loudly.
    if (err.code === 'ENOENT') throw new Error('openssl is required by the HTTPS e2e spec (apt-get install openssl)');
    throw new Error(`openssl ${args[0]} failed: ${err.stderr?.toString() ?? err.message}`);
  }
}

/** Made with Debian's openssl at spec load (synchronously, so the paths can go into a gateway's env). */
export function createServerCert(): TestServerCert {
  const dir = mkdtempSync(join(tmpdir(), 'massive-e2e-tls-'));
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  openssl(['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '1', '-subj', '/CN=massive-e2e-ca', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign'], dir);
  openssl(['req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost'], dir);
  writeFileSync(join(dir, 'server.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  openssl(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.crt', '-days', '1', '-extfile', 'server.ext'], dir);
  return { dir, caPem: readFileSync(join(dir, 'ca.crt')), certFile: join(dir, 'server.crt'), keyFile: join(dir, 'server.key') };
}
