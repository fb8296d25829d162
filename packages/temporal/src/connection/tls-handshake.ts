import { isIP } from 'node:net';
import tls from 'node:tls';
import type { TemporalConnectionConfig } from './connection-config.ts';

/**
 * A bare TLS handshake with the settings of `config`, then a wait for the server's first HTTP/2
 * frame: grpc-js reports a failed handshake only as a deadline, while this names the cause (an
 * untrusted certificate, or a server that demands a client certificate after TLS 1.3's handshake).
 * Resolves undefined when the handshake and the server's first bytes went through.
 */
export function tlsHandshakeError(
  config: TemporalConnectionConfig,
  timeoutMs = 3_000,
): Promise<string | undefined> {
  const settings = config.options.tls === true ? {} : config.options.tls;
  if (!settings) return Promise.resolve(undefined);
  const [host, port] = splitAddress(config.address);
  const servername = settings.serverNameOverride ?? host;
  return new Promise((resolve) => {
    const socket = tls.connect({
      host,
      port,
      ALPNProtocols: ['h2'],
      ...(isIP(servername) ? {} : { servername }),
      ...(settings.serverRootCACertificate ? { ca: Buffer.from(settings.serverRootCACertificate) } : {}),
      ...(settings.clientCertPair
        ? { cert: Buffer.from(settings.clientCertPair.crt), key: Buffer.from(settings.clientCertPair.key) }
        : {}),
    });
    const done = (result: string | undefined) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => done(undefined), timeoutMs);
    socket.once('secureConnect', () => socket.write(HTTP2_PREFACE));
    socket.once('data', () => done(undefined));
    socket.once('error', (error: NodeJS.ErrnoException) =>
      done(`${error.code ? `${error.code}: ` : ''}${error.message}`),
    );
    socket.once('close', () => done(undefined));
  });
}

/** The HTTP/2 client preface and an empty SETTINGS frame: the server answers with its SETTINGS. */
const HTTP2_PREFACE = Buffer.concat([
  Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'),
  Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0]),
]);

function splitAddress(address: string): [string, number] {
  const at = address.lastIndexOf(':');
  return [address.slice(0, at).replace(/^\[|\]$/g, ''), Number(address.slice(at + 1))];
}
