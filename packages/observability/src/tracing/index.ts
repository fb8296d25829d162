// The API-only part (cheap to import); the SDK is the `@photomaker/observability/tracing` entry (start.ts).
export * from './env.ts';
export * from './spans.ts';
