export * from './blob-gc.ts';
export * from './blob-store.ts';
export * from './env.ts';
export * from './from-env.ts';
export * from './local-blob-store.ts';
export * from './s3-blob-store.ts';
export * from './s3-errors.ts';
export * from './signed-path.ts';
