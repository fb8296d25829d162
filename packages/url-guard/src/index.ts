export * from './address-policy.ts';
export * from './allow-list.ts';
export * from './env.ts';
export * from './read-limited.ts';
export * from './url-guard.ts';
