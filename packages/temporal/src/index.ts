export * from './admission-contract.ts';
export * from './contract.ts';
export * from './task-priority.ts';
