import type { TemporalConnectionConfig } from './connection-config.ts';

/** Why a connection failed: only `unreachable` may be waited out (the server may still be starting). */
export type ConnectFailureKind = 'unreachable' | 'tls' | 'client-cert' | 'auth' | 'namespace' | 'other';

/**
 * Failures no wait can mend (the settings are wrong, not the server late): a process that may start
 * before Temporal answers still stops on these.
 */
export function isSettingsFailure(kind: ConnectFailureKind): boolean {
  return kind === 'tls' || kind === 'client-cert' || kind === 'auth';
}

export interface ConnectFailure {
  kind: ConnectFailureKind;
  /** One operator-facing line: what failed, and which variable to check. */
  message: string;
}

// Error texts of grpc-js (API, launcher) and of the Rust core (worker) for each cause.
const CLIENT_CERT =
  /certificate required|alert.*(handshake failure|bad certificate|certificate)|peer sent no certificates|CertificateRequired|tlsv13 alert/i;
const TLS =
  /certificate|self[- ]signed|unable to (verify|get local issuer)|UnknownIssuer|invalid peer|NotValidForName|wrong version number|handshake|ssl|tls/i;
const AUTH =
  /valid authentication credentials|\b(16|7) (UNAUTHENTICATED|PERMISSION_DENIED)|unauthenticated|permission ?denied|Request unauthorized/i;
// A TLS 1.3 server that wants a client certificate says so after the client's handshake ends, so a client
// already writing may see the connection close (broken pipe, reset, or hyper's "connection closed" when
// the close wins the race with its request) before it reads the alert.
const CLOSED_IN_HANDSHAKE =
  /broken ?pipe|BrokenPipe|ECONNRESET|connection reset|ConnectionReset|hyper::Error\(Canceled, "connection closed"\)/i;
const NAMESPACE = /namespace.*not (found|exist)|NamespaceNotFound/i;
const UNREACHABLE =
  /ECONNREFUSED|connection refused|ENOTFOUND|EAI_AGAIN|deadline|timed? ?out|No connection established|transport error|UNAVAILABLE/i;

/** The whole error chain's text: the SDKs wrap the transport error in one or two layers. */
function errorText(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current && depth < 5; depth++) {
    const { message, details, cause } = current as { message?: unknown; details?: unknown; cause?: unknown };
    if (typeof message === 'string') parts.push(message);
    if (typeof details === 'string') parts.push(details);
    current = cause;
  }
  return parts.length > 0 ? parts.join(': ') : String(error);
}

/** Classifies a failed connect or first call, and says what to check, naming the variables. */
export function explainConnectFailure(error: unknown, config: TemporalConnectionConfig): ConnectFailure {
  const text = errorText(error).replace(/\s+/g, ' ').slice(0, 400);
  const at = `Temporal at ${config.address} (${config.security})`;
  if (CLIENT_CERT.test(text)) {
    return {
      kind: 'client-cert',
      message: `${at} refused the TLS handshake: it requires a client certificate it trusts; set TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH (${text})`,
    };
  }
  if (closedByMutualTls(text, config)) {
    return {
      kind: 'client-cert',
      message: `${at} closed the connection in the TLS handshake: it probably requires a client certificate it trusts; set TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH (${text})`,
    };
  }
  if (AUTH.test(text)) {
    return {
      kind: 'auth',
      message: `${at} refused the credentials: check TEMPORAL_API_KEY (or the client certificate) and its access to namespace "${config.namespace}" (${text})`,
    };
  }
  if (NAMESPACE.test(text)) {
    return {
      kind: 'namespace',
      message: `${at} has no namespace "${config.namespace}": check TEMPORAL_NAMESPACE (${text})`,
    };
  }
  if (TLS.test(text)) {
    return {
      kind: 'tls',
      message: `TLS with ${at} failed: check TEMPORAL_TLS_SERVER_CA_CERT_PATH (the CA that signed the server's certificate), TEMPORAL_TLS_SERVER_NAME, and that the server speaks TLS (${text})`,
    };
  }
  if (UNREACHABLE.test(text)) {
    return { kind: 'unreachable', message: `${at} does not answer: check TEMPORAL_ADDRESS (${text})` };
  }
  return { kind: 'other', message: `${at}: ${text}` };
}

/** A TLS connection without a client certificate, closed in the handshake: mTLS refusing it. */
function closedByMutualTls(text: string, config: TemporalConnectionConfig): boolean {
  const { tls } = config.options;
  if (!tls || config.options.apiKey) return false;
  const withoutCert = tls === true || !tls.clientCertPair;
  return withoutCert && CLOSED_IN_HANDSHAKE.test(text);
}
