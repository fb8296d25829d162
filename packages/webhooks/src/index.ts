export * from './env.ts';
export * from './standard-signature.ts';
export * from './tenant-secrets.ts';
