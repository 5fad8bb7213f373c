import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** PEM files of one throwaway certificate authority and the certificates it signed. */
export interface TestPki {
  readonly dir: string;
  /** `<name>.crt` / `<name>.key` paths, and the CA's as `ca`. */
  path(name: string, ext: 'crt' | 'key'): string;
  pem(name: string, ext: 'crt' | 'key'): Buffer;
}

function openssl(args: string[], cwd: string): void {
  try {
    execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stderr?: Buffer };
    // Never skip: CI must have openssl (Debian's package), or the mTLS specs fail loudly here.
    if (err.code === 'ENOENT') throw new Error('openssl is required by the mTLS specs (apt-get install openssl)');
    throw new Error(`openssl ${args[0]} failed: ${err.stderr?.toString() ?? err.message}`);
  }
}

/**
 * A CA (EC P-256, one day) and, for each `leaves` entry, a certificate it signed with the given
 * subject alternative names (`DNS:localhost,IP:127.0.0.1`), for server and client authentication.
 */
export function createTestPki(caName: string, leaves: Record<string, string>, dir = mkdtempSync(join(tmpdir(), 'massive-pki-'))): TestPki {
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  openssl(['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '1', '-subj', `/CN=${caName}`, '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], dir);
  for (const [name, san] of Object.entries(leaves)) {
    openssl(['req', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`], dir);
    writeFileSync(join(dir, `${name}.ext`), `subjectAltName=${san}\nextendedKeyUsage=serverAuth,clientAuth\nkeyUsage=critical,digitalSignature\n`);
    openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.crt`, '-days', '1', '-extfile', `${name}.ext`], dir);
  }
  const path = (name: string, ext: 'crt' | 'key') => join(dir, `${name}.${ext}`);
  return { dir, path, pem: (name, ext) => readFileSync(path(name, ext)) };
}
