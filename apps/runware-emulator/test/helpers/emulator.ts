import { createLogger } from '@photomaker/observability';
import { createEmulator, type Emulator, type EmulatorOptions } from '../../src/emulator.ts';

export const KEY = 'test-key-1';
export const OTHER_KEY = 'test-key-2';

/** An in-process emulator on a free loopback port, zero latency, quiet logs. */
export function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  return createEmulator({
    port: 0,
    apiKeys: [KEY, OTHER_KEY],
    latency: 'none',
    logger: createLogger({ service: 'runware-emulator-test', level: process.env.LOG_LEVEL ?? 'silent' }),
    ...options,
  });
}
