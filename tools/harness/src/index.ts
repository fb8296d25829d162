export * from './binaries.ts';
export * from './managed-process.ts';
export * from './node-app.ts';
export * from './paths.ts';
export * from './ports.ts';
export * from './redis.ts';
export * from './temporal.ts';
