import type { Logger as PinoLogger } from '@photomaker/observability';
import type { Logger, LogLevel, LogMetadata } from '@temporalio/common';

const LEVELS: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

/**
 * The Temporal SDK's logger (worker, workflow `log`, activity `log`, forwarded core logs) as pino JSON
 * lines, so they get the same redaction as ours: errors go under `err`, whose serializer scrubs them.
 */
export class TemporalPinoLogger implements Logger {
  private readonly pino: PinoLogger;

  constructor(pino: PinoLogger) {
    this.pino = pino;
  }

  log(level: LogLevel, message: string, meta?: LogMetadata): void {
    // By design: the deliveries queue's worker runs activities only.
    const effective = message.startsWith('No workflows registered') ? 'DEBUG' : level;
    const method = LEVELS[effective] ?? 'info';
    // The SDK logs every task at debug: skip building fields nobody will see.
    if (!this.pino.isLevelEnabled(method)) return;
    const { error, ...rest } = (meta ?? {}) as Record<string, unknown>;
    const fields: Record<string, unknown> = { ...rest };
    if (error !== undefined) fields.err = error;
    this.pino[method](fields, message);
  }

  trace(message: string, meta?: LogMetadata): void {
    this.log('TRACE', message, meta);
  }
  debug(message: string, meta?: LogMetadata): void {
    this.log('DEBUG', message, meta);
  }
  info(message: string, meta?: LogMetadata): void {
    this.log('INFO', message, meta);
  }
  warn(message: string, meta?: LogMetadata): void {
    this.log('WARN', message, meta);
  }
  error(message: string, meta?: LogMetadata): void {
    this.log('ERROR', message, meta);
  }
}
