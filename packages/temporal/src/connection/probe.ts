import { Connection } from '@temporalio/client';
import { type ConnectFailure, explainConnectFailure } from './connect-failure.ts';
import type { TemporalConnectionConfig } from './connection-config.ts';
import { tlsHandshakeError } from './tls-handshake.ts';

export type ProbeResult = { ok: true } | ({ ok: false } & ConnectFailure);

const NEVER = new Promise<never>(() => {});

/**
 * One connect plus `describeNamespace` within `timeoutMs`: what the API and the launcher check at
 * start, so a wrong CA, a missing client certificate or a refused key is a clear line, not a hang.
 */
export async function probeTemporal(
  config: TemporalConnectionConfig,
  timeoutMs = 5_000,
): Promise<ProbeResult> {
  // grpc-js reports a failed handshake only as a deadline: a handshake of our own, beside the call,
  // names the cause, and as soon as it is known.
  const handshake = tlsHandshakeError(config, timeoutMs).then((detail) =>
    detail ? explainConnectFailure(new Error(detail), config) : undefined,
  );
  const viaCall = describeNamespace(config, timeoutMs).then(async (result): Promise<ProbeResult> => {
    if (result.ok || (result.kind !== 'unreachable' && result.kind !== 'other')) return result;
    const failure = await handshake;
    return failure ? { ok: false, ...failure } : result;
  });
  const viaHandshake = handshake.then(
    (failure): Promise<ProbeResult> => (failure ? Promise.resolve({ ok: false, ...failure }) : NEVER),
  );
  return Promise.race([viaCall, viaHandshake]);
}

async function describeNamespace(config: TemporalConnectionConfig, timeoutMs: number): Promise<ProbeResult> {
  // Lazy: connecting happens inside the call, under its deadline.
  const connection = Connection.lazy({ ...config.options, connectTimeout: timeoutMs });
  try {
    await connection.withDeadline(Date.now() + timeoutMs, () =>
      connection.workflowService.describeNamespace({ namespace: config.namespace }),
    );
    return { ok: true };
  } catch (error) {
    return { ok: false, ...explainConnectFailure(error, config) };
  } finally {
    await connection.close().catch(() => {});
  }
}
