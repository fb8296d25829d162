// Node-only entry (`@photomaker/temporal/codec`): never import it from workflow code.
export * from './aes-gcm-codec.ts';
export * from './codec-access.ts';
export * from './codec-server.ts';
export * from './data-converter.ts';
export * from './payload-keys.ts';
export * from './payload-keys-env.ts';
export * from './sealed-json.ts';
