import { fileURLToPath } from 'node:url';
import { baseConfig } from '@photomaker/vitest-config';
import { defineProject, mergeConfig } from 'vitest/config';

// The in-process tests alone (`*.unit.test.ts`: plain modules, no Temporal, Redis or emulator), without
// the global setup that starts them:
//   pnpm vitest run --config test/unit.vitest.config.ts
// The default config runs them too, with the real-stack files.
const config = mergeConfig(
  baseConfig,
  defineProject({
    root: fileURLToPath(new URL('..', import.meta.url)),
    test: { name: 'worker-unit' },
  }),
);
// mergeConfig concatenates arrays: replace the base's include instead.
config.test = { ...config.test, include: ['test/**/*.unit.test.ts'] };

export default config;
