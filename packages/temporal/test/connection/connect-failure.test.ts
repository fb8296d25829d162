import { describe, expect, it } from 'vitest';
import {
  type ConnectFailureKind,
  explainConnectFailure,
  isSettingsFailure,
  temporalConnectionFromEnv,
} from '../../src/connection/index.ts';

const config = temporalConnectionFromEnv({
  TEMPORAL_ADDRESS: 'temporal.internal:7233',
  TEMPORAL_API_KEY: 'k',
});
const kindOf = (message: string, cause?: unknown) =>
  explainConnectFailure(Object.assign(new Error(message), cause ? { cause } : {}), config).kind;

// Error texts as the SDKs produce them (recorded from the TLS-terminator tests of apps/worker and the
// probe): the Rust core's tonic errors (worker) and grpc-js / node:tls errors (API, launcher).
describe('explainConnectFailure', () => {
  it('tells a server that wants a client certificate from an untrusted server certificate', () => {
    expect(
      kindOf(
        `Failed to call GetSystemInfo: code: 'Unknown error', message: "transport error", source: tonic::transport::Error(Transport, hyper::Error(Io, Custom { kind: InvalidData, error: "received fatal alert: CertificateRequired" }))`,
      ),
    ).toBe('client-cert');
    expect(kindOf('ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED: tlsv13 alert certificate required')).toBe(
      'client-cert',
    );
    expect(
      kindOf(
        'tonic::transport::Error(Transport, ConnectError(Custom { kind: InvalidData, error: InvalidCertificate(UnknownIssuer) }))',
      ),
    ).toBe('tls');
    expect(kindOf('SELF_SIGNED_CERT_IN_CHAIN: self-signed certificate in certificate chain')).toBe('tls');
  });

  it('reads a TLS connection closed in the handshake, without a client certificate, as mTLS refusing it', () => {
    const brokenPipe = `Failed to call GetSystemInfo: code: 'Unknown error', message: "transport error", source: tonic::transport::Error(Transport, hyper::Error(Io, Custom { kind: BrokenPipe, error: "stream closed because of a broken pipe" }))`;
    const tlsOnly = temporalConnectionFromEnv({
      TEMPORAL_ADDRESS: 'temporal.internal:7233',
      TEMPORAL_TLS: 'true',
    });
    const failure = explainConnectFailure(new Error(brokenPipe), tlsOnly);
    expect(failure.kind).toBe('client-cert');
    expect(failure.message).toContain('set TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH');
    // Plaintext, or with an API key (Temporal Cloud's way in), a closed connection is only unreachable.
    const plain = temporalConnectionFromEnv({ TEMPORAL_ADDRESS: 'temporal.internal:7233' });
    expect(explainConnectFailure(new Error(brokenPipe), plain).kind).toBe('unreachable');
    expect(kindOf(brokenPipe)).toBe('unreachable');
    // The same refusal when the close comes before the core's first request is written (seen at load).
    const cancelled = `Failed to call GetSystemInfo: code: 'The operation was cancelled', message: "operation was canceled", source: tonic::transport::Error(Transport, hyper::Error(Canceled, "connection closed"))`;
    expect(explainConnectFailure(new Error(cancelled), tlsOnly).kind).toBe('client-cert');
    expect(explainConnectFailure(new Error(cancelled), plain).kind).not.toBe('client-cert');
  });

  it('names refused credentials, a missing namespace, and an address nobody answers at', () => {
    expect(kindOf('Failed to connect', { message: '16 UNAUTHENTICATED: missing or wrong API key' })).toBe(
      'auth',
    );
    expect(
      kindOf(
        `Failed to call GetSystemInfo: code: 'The request does not have valid authentication credentials', message: "bad key"`,
      ),
    ).toBe('auth');
    expect(kindOf('5 NOT_FOUND: Namespace nope is not found.')).toBe('namespace');
    expect(
      kindOf(
        'tonic::transport::Error(Transport, ConnectError(ConnectError("tcp connect error", 127.0.0.1:1, Os { code: 111, kind: ConnectionRefused, message: "Connection refused" })))',
      ),
    ).toBe('unreachable');
  });

  it('calls only wrong settings fatal: a server or namespace not there yet may still come', () => {
    const fatal: ConnectFailureKind[] = ['tls', 'client-cert', 'auth'];
    const waitable: ConnectFailureKind[] = ['unreachable', 'namespace', 'other'];
    expect(fatal.filter(isSettingsFailure)).toEqual(fatal);
    expect(waitable.filter(isSettingsFailure)).toEqual([]);
  });

  it('says what to set, where and how the connection was made, and never the key', () => {
    const failure = explainConnectFailure(new Error('tlsv13 alert certificate required'), config);
    expect(failure.message).toMatch(
      /^Temporal at temporal.internal:7233 \(TLS \(system CAs\), API key\) refused the TLS handshake: .*TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH/,
    );
    const untrusted = explainConnectFailure(new Error('unable to verify the first certificate'), config);
    expect(untrusted.message).toContain('check TEMPORAL_TLS_SERVER_CA_CERT_PATH');
    expect(JSON.stringify([failure, untrusted])).not.toMatch(/"k"|Bearer k/);
  });
});
