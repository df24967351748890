// A throw-away certificate authority made with the real openssl CLI, so TLS and X.509 checks in
// tests run exactly as in production: nothing is switched off, the test CA is simply trusted.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface IssuedCertificate {
  certPem: string;
  keyPem: string;
}

export interface TestCa {
  certPem: string;
  /** Issues a leaf certificate signed by this CA. */
  issue(options: { commonName: string; dnsNames?: string[]; days?: number }): IssuedCertificate;
  /** Removes the temporary directory with all keys. */
  dispose(): void;
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

export function createTestCa(name = 'mailgate test CA'): TestCa {
  const dir = mkdtempSync(join(tmpdir(), 'mailgate-ca-'));
  openssl(
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '30', '-subj', `/CN=${name}`,
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'],
    dir,
  );
  let serial = 0;
  return {
    certPem: readFileSync(join(dir, 'ca.crt'), 'utf8'),
    issue({ commonName, dnsNames = [], days = 30 }) {
      serial += 1;
      const base = `leaf-${String(serial)}`;
      const extensions = ['basicConstraints=CA:FALSE', 'keyUsage=critical,digitalSignature,keyEncipherment', 'extendedKeyUsage=serverAuth'];
      if (dnsNames.length > 0) extensions.push(`subjectAltName=${dnsNames.map((dns) => `DNS:${dns}`).join(',')}`);
      writeFileSync(join(dir, `${base}.ext`), `${extensions.join('\n')}\n`);
      openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${base}.key`, '-out', `${base}.csr`, '-subj', `/CN=${commonName}`], dir);
      openssl(
        ['x509', '-req', '-in', `${base}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-set_serial', String(1000 + serial),
          '-days', String(days), '-sha256', '-extfile', `${base}.ext`, '-out', `${base}.crt`],
        dir,
      );
      return { certPem: readFileSync(join(dir, `${base}.crt`), 'utf8'), keyPem: readFileSync(join(dir, `${base}.key`), 'utf8') };
    },
    dispose() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
