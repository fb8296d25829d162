export * from './closed-labels.ts';
export * from './env.ts';
export * from './logger.ts';
export * from './metrics.ts';
export * from './metrics-access.ts';
export * from './scrub.ts';
export * from './tracing/index.ts';
