import { execFile } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { RedisTlsFiles } from './redis.ts';

const run = promisify(execFile);

export interface TestCa extends RedisTlsFiles {
  /** The CA certificate (PEM): what a client trusts. */
  ca: Buffer;
}

/**
 * A throwaway CA and a server certificate it signed for 127.0.0.1 and localhost, made with the openssl CLI
 * in `dir` (tests only: the keys are unencrypted and valid for a day).
 */
export async function makeTestCa(dir: string): Promise<TestCa> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const file = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => run('openssl', args, { cwd: dir });
  await openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '1',
    '-subj',
    '/CN=photomaker test CA',
    '-keyout',
    file('ca.key'),
    '-out',
    file('ca.crt'),
  );
  await openssl(
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-subj',
    '/CN=127.0.0.1',
    '-keyout',
    file('server.key'),
    '-out',
    file('server.csr'),
  );
  await openssl(
    'x509',
    '-req',
    '-in',
    file('server.csr'),
    '-CA',
    file('ca.crt'),
    '-CAkey',
    file('ca.key'),
    '-CAcreateserial',
    '-days',
    '1',
    '-out',
    file('server.crt'),
    '-extfile',
    await sanFile(dir),
  );
  return {
    certFile: file('server.crt'),
    keyFile: file('server.key'),
    caFile: file('ca.crt'),
    ca: await readFile(file('ca.crt')),
  };
}

async function sanFile(dir: string): Promise<string> {
  const path = join(dir, 'san.ext');
  await writeFile(path, 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  return path;
}
