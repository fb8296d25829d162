export * from './connect-failure.ts';
export * from './connection-config.ts';
export * from './probe.ts';
export * from './search-attributes-check.ts';
