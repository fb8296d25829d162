import { type DestinationStream, type Logger, type LoggerOptions, pino } from 'pino';

export type { Logger } from 'pino';

/**
 * Keys whose values never reach a log line, at any depth we know of: API keys, auth headers, and image
 * payloads (face photos are biometric data). Censored, not dropped, so a reader sees they were there.
 */
export const REDACT_PATHS = [
  'apiKey',
  '*.apiKey',
  '*.*.apiKey',
  'authorization',
  'Authorization',
  '*.authorization',
  '*.Authorization',
  'headers.authorization',
  'req.headers.authorization',
  'req.headers.cookie',
  'connectionParams',
  '*.connectionParams',
  'image',
  '*.image',
  'inputImages',
  '*.inputImages',
  '*.*.inputImages',
  'imageBase64Data',
  '*.imageBase64Data',
  'imageDataURI',
  '*.imageDataURI',
  'bytes',
  '*.bytes',
  'secret',
  '*.secret',
  'key',
  '*.key',
];

const DATA_URI = /data:[a-z]+\/[a-z0-9.+-]+;base64,[A-Za-z0-9+/=]{16,}/gi;
const LONG_BASE64 = /[A-Za-z0-9+/]{200,}={0,2}/g;
const BEARER = /(Bearer\s+)[^\s"']+/gi;

/** Scrubs secrets and inline image data out of free text (error messages, URLs). */
export function scrub(text: string): string {
  return text
    .replace(DATA_URI, '[image data]')
    .replace(LONG_BASE64, '[base64]')
    .replace(BEARER, '$1[redacted]');
}

export interface CreateLoggerOptions {
  /** The service name on every line: api, worker, runware-emulator, ... */
  service: string;
  level?: string;
  destination?: DestinationStream;
  base?: Record<string, unknown>;
}

/** One JSON object per line; secrets and image bytes censored; messages scrubbed. */
export function createLogger(options: CreateLoggerOptions): Logger {
  const config: LoggerOptions = {
    level: options.level ?? process.env.LOG_LEVEL ?? 'info',
    base: { service: options.service, pid: process.pid, ...options.base },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    formatters: { level: (label) => ({ level: label }) },
    hooks: {
      logMethod(args, method) {
        const scrubbed = args.map((arg) => (typeof arg === 'string' ? scrub(arg) : arg)) as typeof args;
        method.apply(this, scrubbed);
      },
    },
    serializers: {
      err: (error: unknown) => {
        const serialized = pino.stdSerializers.err(error as Error);
        return {
          ...serialized,
          message: scrub(serialized.message ?? ''),
          stack: scrub(serialized.stack ?? ''),
        };
      },
    },
  };
  return options.destination ? pino(config, options.destination) : pino(config);
}
