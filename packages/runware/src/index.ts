export * from './client.ts';
export { parseEnvelope, type RunwareEnvelope, type RunwareItem } from './envelope.ts';
export { isGenerationFailure } from './error-mapping.ts';
export * from './errors.ts';
export {
  DEFAULT_POLL,
  type GetResponseSnapshot,
  type PollPolicy,
  pollDelay,
  ResultCollector,
  type ResultSnapshot,
} from './polling.ts';
export { DEFAULT_RETRY, type RetryEvent, type RetryPolicy } from './retry.ts';
export { parseRetryAfter } from './retry-after.ts';
export * from './socket.ts';
