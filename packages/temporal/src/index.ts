export * from './admission-contract.ts';
export * from './contract.ts';
