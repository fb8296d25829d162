import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** PEM files of a throwaway PKI: paths (for `TEMPORAL_TLS_*_PATH`) and their text. */
export interface TestPki {
  dir: string;
  caCertPath: string;
  serverCertPath: string;
  serverKeyPath: string;
  clientCertPath: string;
  clientKeyPath: string;
  /** A CA that signed nothing here: trusting it instead of `caCertPath` must fail verification. */
  otherCaCertPath: string;
  read(path: string): string;
}

const openssl = (args: string[], cwd: string) => execFileSync('openssl', args, { cwd, stdio: 'pipe' });

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

function selfSignedCa(dir: string, name: string): void {
  openssl(
    [
      'req',
      '-x509',
      ...EC,
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.crt`,
      '-days',
      '2',
      '-subj',
      `/CN=${name}`,
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ],
    dir,
  );
}

/** A leaf certificate signed by `ca.crt`, with the extensions strict verifiers (rustls) require. */
function leaf(dir: string, name: string, extensions: string): void {
  writeFileSync(join(dir, `${name}.ext`), extensions);
  openssl(['req', ...EC, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`], dir);
  openssl(
    [
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      `${name}.crt`,
      '-days',
      '2',
      '-extfile',
      `${name}.ext`,
    ],
    dir,
  );
}

/**
 * A test CA with a server certificate for `localhost` / 127.0.0.1 and a client certificate, made with
 * the openssl CLI in a fresh temporary directory (tests only: the keys are unencrypted).
 */
export function createTestPki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'photomaker-pki-'));
  selfSignedCa(dir, 'ca');
  selfSignedCa(dir, 'other-ca');
  leaf(
    dir,
    'server',
    'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost,IP:127.0.0.1\n',
  );
  leaf(
    dir,
    'client',
    'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n',
  );
  const path = (file: string) => join(dir, file);
  return {
    dir,
    caCertPath: path('ca.crt'),
    serverCertPath: path('server.crt'),
    serverKeyPath: path('server.key'),
    clientCertPath: path('client.crt'),
    clientKeyPath: path('client.key'),
    otherCaCertPath: path('other-ca.crt'),
    read: (file) => readFileSync(file, 'utf8'),
  };
}
