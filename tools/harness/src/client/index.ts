// `@photomaker/harness/client`: talking to a running platform as a client does (bench, chaos).
export * from './documents.ts';
export * from './graphql-client.ts';
export * from './platform-client.ts';
