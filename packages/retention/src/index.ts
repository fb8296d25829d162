export * from './blob-holds.ts';
export * from './blob-keys.ts';
export * from './env.ts';
export * from './job-due.ts';
export * from './job-eraser.ts';
export * from './policy.ts';
export * from './sweep.ts';
export * from './temporal-jobs.ts';
