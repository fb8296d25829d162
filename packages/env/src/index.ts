export * from './defined-only.ts';
export * from './describe-env.ts';
export * from './parse-env.ts';
export * from './rules.ts';
