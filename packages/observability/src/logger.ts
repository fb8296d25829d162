import { type DestinationStream, type Logger, type LoggerOptions, pino } from 'pino';
import { scrub } from './scrub.ts';
import { traceLogFields } from './tracing/spans.ts';

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
  // A caller's words: kept in job records encrypted, never in logs.
  'positivePrompt',
  '*.positivePrompt',
  '*.*.positivePrompt',
];

const TRACE_FIELDS: ReadonlySet<string> = new Set(['trace_id', 'span_id']);

/** String fields (top level and one below) scrubbed like messages: a logged URL keeps only its host. */
function scrubFields(fields: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(fields)) {
    // Trace ids are 32 hex digits: the token rule would hide exactly what leads to the trace.
    out[name] = TRACE_FIELDS.has(name) ? value : scrubValue(value, 1);
  }
  return out;
}

function scrubValue(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return scrub(value);
  if (depth === 0 || value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  if (Object.getPrototypeOf(value) !== Object.prototype) return value;
  const out: Record<string, unknown> = {};
  for (const [name, inner] of Object.entries(value)) out[name] = scrubValue(inner, depth - 1);
  return out;
}

export interface CreateLoggerOptions {
  /** The service name on every line: api, worker, runware-emulator, ... */
  service: string;
  level?: string;
  destination?: DestinationStream;
  base?: Record<string, unknown>;
}

/** One JSON object per line; secrets and image bytes censored; messages and string fields scrubbed. */
export function createLogger(options: CreateLoggerOptions): Logger {
  const config: LoggerOptions = {
    level: options.level ?? process.env.LOG_LEVEL ?? 'info',
    base: { service: options.service, pid: process.pid, ...options.base },
    timestamp: pino.stdTimeFunctions.isoTime,
    // A line written inside a span names its trace: from a log line to the trace (tracing on only).
    mixin: traceLogFields,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    formatters: { level: (label) => ({ level: label }), log: scrubFields },
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
