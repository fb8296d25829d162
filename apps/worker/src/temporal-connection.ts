import {
  checkSearchAttributes,
  explainConnectFailure,
  missingSearchAttributesMessage,
  type TemporalConnectionConfig,
} from '@photomaker/temporal/connection';
import { NativeConnection } from '@temporalio/worker';

/** Why the worker cannot start against this Temporal: one operator-facing message. */
export class TemporalStartError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemporalStartError';
  }
}

/**
 * The worker's connection, checked before any worker polls: the Rust core fails a bad handshake or
 * refused credentials at once (explained, naming the variables), and a namespace without the
 * platform's search attributes is refused with the commands that create them.
 */
export async function connectWorkerTemporal(config: TemporalConnectionConfig): Promise<NativeConnection> {
  let connection: NativeConnection;
  try {
    connection = await NativeConnection.connect(config.options);
  } catch (error) {
    throw new TemporalStartError(explainConnectFailure(error, config).message);
  }
  try {
    const check = await checkSearchAttributes(connection, config.namespace);
    if (check.missing.length > 0) {
      throw new TemporalStartError(missingSearchAttributesMessage(check, config.namespace));
    }
    return connection;
  } catch (error) {
    await connection.close().catch(() => {});
    if (error instanceof TemporalStartError) throw error;
    throw new TemporalStartError(explainConnectFailure(error, config).message);
  }
}
