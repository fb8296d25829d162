import { dataConverterFromEnv } from '@photomaker/temporal/codec';
import type { TemporalConnectionConfig } from '@photomaker/temporal/connection';
import { Client, Connection } from '@temporalio/client';
import { jobStartTracing } from './job-start-tracing.ts';

export interface TemporalClientOptions {
  /** Address, namespace, TLS and API key (config.ts, from Temporal's environment configuration). */
  connection: TemporalConnectionConfig;
  env?: NodeJS.ProcessEnv;
  warn?: (message: string) => void;
  /** Carry the caller's trace into the workflows it starts (Temporal's OpenTelemetry interceptor). */
  tracing?: boolean;
}

/**
 * A Temporal Client with the platform's payload codec (AES-256-GCM, keys from PHOTOMAKER_PAYLOAD_KEYS):
 * the same keys as the worker, so workflow inputs and results are encrypted in Temporal's history.
 */
export async function connectTemporal(options: TemporalClientOptions): Promise<Client> {
  // Lazy: the API starts (and answers /healthz, /readyz = 503) while Temporal is still coming up;
  // main.ts probes once at start so bad TLS or credentials end the process instead.
  const connection = Connection.lazy(options.connection.options);
  return new Client({
    connection,
    namespace: options.connection.namespace,
    dataConverter: dataConverterFromEnv(options.env ?? process.env, options.warn),
    ...(options.tracing ? { interceptors: { workflow: [jobStartTracing()] } } : {}),
  });
}

/** Frontend reachable and namespace present: what /readyz checks. */
export async function temporalReachable(client: Client, timeoutMs = 2_000): Promise<boolean> {
  try {
    await client.connection.withDeadline(Date.now() + timeoutMs, () =>
      client.workflowService.describeNamespace({ namespace: client.options.namespace }),
    );
    return true;
  } catch {
    return false;
  }
}
