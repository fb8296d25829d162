import { Connection } from '@temporalio/client';
import { type ConnectFailure, explainConnectFailure } from './connect-failure.ts';
import type { TemporalConnectionConfig } from './connection-config.ts';
import { tlsHandshakeError } from './tls-handshake.ts';

export type ProbeResult = { ok: true } | ({ ok: false } & ConnectFailure);

/**
 * One connect plus `describeNamespace` within `timeoutMs`: what the API and the launcher check at
 * start, so a wrong CA, a missing client certificate or a refused key is a clear line, not a hang.
 */
export async function probeTemporal(
  config: TemporalConnectionConfig,
  timeoutMs = 5_000,
): Promise<ProbeResult> {
  // Lazy: the first call's error carries grpc-js's transport detail (the TLS error), which the
  // eager connect's readiness wait would replace with a bare deadline.
  const connection = Connection.lazy({ ...config.options, connectTimeout: timeoutMs });
  try {
    await connection.withDeadline(Date.now() + timeoutMs, () =>
      connection.workflowService.describeNamespace({ namespace: config.namespace }),
    );
    return { ok: true };
  } catch (error) {
    const failure = explainConnectFailure(error, config);
    if (failure.kind !== 'unreachable' && failure.kind !== 'other') return { ok: false, ...failure };
    // grpc-js hides a failed handshake behind a deadline: a handshake of our own names the cause.
    const handshake = await tlsHandshakeError(config, timeoutMs);
    return { ok: false, ...(handshake ? explainConnectFailure(new Error(handshake), config) : failure) };
  } finally {
    await connection.close().catch(() => {});
  }
}
