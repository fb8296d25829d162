import { type ClientConfigProfile, loadClientConfigProfile, toClientOptions } from '@temporalio/envconfig';

/** What the platform connects to when nothing says otherwise: the dev server `npm start` runs. */
export const DEFAULT_TEMPORAL_ADDRESS = '127.0.0.1:7233';
export const DEFAULT_TEMPORAL_NAMESPACE = 'default';

/** TLS settings as both `Connection` (client) and `NativeConnection` (worker) take them. */
export interface TemporalTls {
  serverNameOverride?: string;
  serverRootCACertificate?: Uint8Array;
  clientCertPair?: { crt: Uint8Array; key: Uint8Array };
}

/** Options for `Connection.connect` / `Connection.lazy` and `NativeConnection.connect` alike. */
export interface TemporalConnectionOptions {
  address: string;
  tls?: TemporalTls | boolean;
  apiKey?: string;
  metadata?: Record<string, string>;
}

export interface TemporalConnectionConfig {
  address: string;
  namespace: string;
  options: TemporalConnectionOptions;
  /** For logs and messages, never secret: `plaintext`, `TLS (system CAs), API key`, ... */
  security: string;
  /** The `temporal.toml` profile used, when one was. */
  profile?: string;
}

/** A Temporal setting that cannot work; the message names the variable. */
export class TemporalConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemporalConfigError';
  }
}

type Env = Readonly<Record<string, string | undefined>>;

/** Set, non-empty variables only: an empty `KEY=` line means unset here as in every env schema. */
function setVariables(env: Env): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter(
      (entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== '',
    ),
  );
}

/**
 * The connection Temporal's environment configuration (`@temporalio/envconfig`, the Temporal CLI's
 * variables) describes. A config file is read only when `TEMPORAL_PROFILE` or `TEMPORAL_CONFIG_FILE`
 * asks for one: a CLI profile in an operator's home directory must not silently redirect a server.
 */
export function temporalConnectionFromEnv(env: Env): TemporalConnectionConfig {
  const vars = setVariables(env);
  const readsFile = vars.TEMPORAL_PROFILE !== undefined || vars.TEMPORAL_CONFIG_FILE !== undefined;
  const profile = loadProfile(vars, readsFile);
  checkClientPair(profile);
  const connect = attempt(
    () => toClientOptions(profile),
    (message) => `cannot read a TLS file of the Temporal connection: ${message}`,
  );
  const { tls, apiKey } = connect.connectionOptions;
  const metadata = profile.grpcMeta;
  const address = profile.address ?? DEFAULT_TEMPORAL_ADDRESS;
  const options: TemporalConnectionOptions = {
    address,
    ...(tls === undefined || tls === null ? {} : { tls: normalizeTls(tls) }),
    ...(typeof apiKey === 'string' ? { apiKey } : {}),
    ...(metadata && Object.keys(metadata).length > 0 ? { metadata } : {}),
  };
  return {
    address,
    namespace: profile.namespace ?? DEFAULT_TEMPORAL_NAMESPACE,
    options,
    security: describeSecurity(options),
    ...(readsFile ? { profile: vars.TEMPORAL_PROFILE ?? 'default' } : {}),
  };
}

function loadProfile(vars: Record<string, string>, readsFile: boolean): ClientConfigProfile {
  return attempt(
    () => loadClientConfigProfile({ disableFile: !readsFile, overrideEnvVars: vars }),
    (message) =>
      `TEMPORAL_PROFILE: cannot load profile '${vars.TEMPORAL_PROFILE ?? 'default'}' from ${vars.TEMPORAL_CONFIG_FILE ?? 'the default temporal.toml'}: ${message}`,
  );
}

/** envconfig drops half a client pair without a word; mTLS would then fail at the server, later. */
function checkClientPair(profile: ClientConfigProfile): void {
  const tls = profile.tls;
  if (!tls || tls.disabled) return;
  if (tls.clientCert && !tls.clientKey) {
    throw new TemporalConfigError(
      'TEMPORAL_TLS_CLIENT_KEY_PATH: required with a client certificate (TEMPORAL_TLS_CLIENT_CERT_PATH): mTLS needs both',
    );
  }
  if (tls.clientKey && !tls.clientCert) {
    throw new TemporalConfigError(
      'TEMPORAL_TLS_CLIENT_CERT_PATH: required with a client key (TEMPORAL_TLS_CLIENT_KEY_PATH): mTLS needs both',
    );
  }
}

function normalizeTls(tls: boolean | TemporalTlsLike): TemporalTls | boolean {
  if (typeof tls === 'boolean') return tls;
  return {
    ...(tls.serverNameOverride ? { serverNameOverride: tls.serverNameOverride } : {}),
    ...(tls.serverRootCACertificate ? { serverRootCACertificate: tls.serverRootCACertificate } : {}),
    ...(tls.clientCertPair ? { clientCertPair: tls.clientCertPair } : {}),
  };
}

interface TemporalTlsLike {
  serverNameOverride?: string | undefined;
  serverRootCACertificate?: Uint8Array | undefined;
  clientCertPair?: { crt: Uint8Array; key: Uint8Array } | undefined;
}

function describeSecurity(options: TemporalConnectionOptions): string {
  if (!options.tls) return options.apiKey ? 'plaintext, API key' : 'plaintext';
  const tls = options.tls === true ? {} : options.tls;
  const parts = [`TLS (${tls.serverRootCACertificate ? 'configured CA' : 'system CAs'})`];
  if (tls.clientCertPair) parts.push('client certificate');
  if (options.apiKey) parts.push('API key');
  return parts.join(', ');
}

function attempt<T>(run: () => T, explain: (message: string) => string): T {
  try {
    return run();
  } catch (error) {
    throw new TemporalConfigError(explain((error as Error).message));
  }
}
