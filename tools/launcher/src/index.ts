export * from './banner.ts';
export * from './cli-args.ts';
export * from './config.ts';
export * from './launch.ts';
export * from './secrets.ts';
