export { ApiKeyStore, bearerToken, hashApiKey } from './auth/api-keys.ts';
export { type ApiConfig, type ApiLimits, configFromEnv, limitsFromEnv } from './config.ts';
export { printSdl, schema } from './graphql/schema.ts';
export { type ApiServer, createApiServer, SHUTDOWN_BOUND_MS } from './server.ts';
