export * from './checks.ts';
export * from './faults.ts';
export * from './report.ts';
export * from './run-chaos.ts';
export * from './schedule.ts';
export * from './submit.ts';
export * from './subscriber.ts';
export * from './webhook-receiver.ts';
