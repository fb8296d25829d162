import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { baseConfig } from '@photomaker/vitest-config';
import { defineProject, mergeConfig } from 'vitest/config';

// The in-process tests alone (`*.unit.test.ts`: real schema and use cases, faked edges), without the
// global setup that starts Temporal, Redis, the worker and the emulator:
//   pnpm vitest run --config test/unit.vitest.config.ts
// The default config runs them too, with the real-stack files.
const graphqlEntry = createRequire(import.meta.url).resolve('graphql');

const config = mergeConfig(
  baseConfig,
  defineProject({
    root: fileURLToPath(new URL('..', import.meta.url)),
    resolve: { alias: [{ find: /^graphql$/, replacement: graphqlEntry }] },
    test: { name: 'api-unit' },
  }),
);
// mergeConfig concatenates arrays: replace the base's include instead.
config.test = { ...config.test, include: ['test/**/*.unit.test.ts'] };

export default config;
