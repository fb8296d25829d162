import { defineConfig } from 'vitest/config';

// Integration tests start real servers (Temporal dev server, redis-server, the emulator): forks keep
// native addons (Temporal core-bridge, sharp) out of worker threads, and hooks get time to boot them.
export const baseConfig = defineConfig({
  test: {
    pool: 'forks',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 180_000,
    teardownTimeout: 60_000,
    reporters: ['default'],
    restoreMocks: true,
  },
});
