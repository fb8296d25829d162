import {
  DEFAULT_TEMPORAL_NAMESPACE,
  TemporalConfigError,
  type TemporalConnectionConfig,
  temporalConnectionFromEnv,
} from '@photomaker/temporal/connection';

export interface TemporalTarget {
  /** An existing Temporal (address, profile, TLS, API key), or undefined to start the dev server. */
  external?: TemporalConnectionConfig;
  namespace: string;
  problems: string[];
}

/** Settings that only make sense toward an external Temporal: the dev server speaks plaintext. */
const SECURED_BY = [
  'TEMPORAL_API_KEY',
  'TEMPORAL_TLS_CLIENT_CERT_PATH',
  'TEMPORAL_TLS_CLIENT_KEY_PATH',
  'TEMPORAL_TLS_CLIENT_CERT_DATA',
  'TEMPORAL_TLS_CLIENT_KEY_DATA',
  'TEMPORAL_TLS_SERVER_CA_CERT_PATH',
  'TEMPORAL_TLS_SERVER_CA_CERT_DATA',
  'TEMPORAL_TLS_SERVER_NAME',
];

/**
 * The dev server, or the Temporal that `TEMPORAL_ADDRESS` or a `temporal.toml` profile
 * (`TEMPORAL_PROFILE` / `TEMPORAL_CONFIG_FILE`) names, resolved as the apps will resolve it.
 */
export function temporalTarget(env: Record<string, string>): TemporalTarget {
  const set = (name: string) => (env[name] ?? '') !== '';
  const external = set('TEMPORAL_ADDRESS') || set('TEMPORAL_PROFILE') || set('TEMPORAL_CONFIG_FILE');
  if (!external) {
    const secured = SECURED_BY.filter(set);
    if (env.TEMPORAL_TLS === 'true' || env.TEMPORAL_TLS === '1') secured.push('TEMPORAL_TLS');
    return {
      namespace: env.TEMPORAL_NAMESPACE || DEFAULT_TEMPORAL_NAMESPACE,
      problems: secured.map(
        (name) =>
          `${name}: set, but no TEMPORAL_ADDRESS or TEMPORAL_PROFILE names the Temporal it is for (the dev server the launcher starts speaks plaintext)`,
      ),
    };
  }
  try {
    const config = temporalConnectionFromEnv(env);
    return { external: config, namespace: config.namespace, problems: [] };
  } catch (error) {
    if (!(error instanceof TemporalConfigError)) throw error;
    return { namespace: DEFAULT_TEMPORAL_NAMESPACE, problems: [error.message] };
  }
}
