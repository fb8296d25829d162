import { createRequire } from 'node:module';
import { baseConfig } from '@photomaker/vitest-config';
import { defineProject, mergeConfig } from 'vitest/config';

// graphql ships CJS and ESM builds; Pothos loads one, our code the other unless both resolve to the same
// file ("Cannot use GraphQLScalarType from another module or realm"). Pin every import to the CJS entry.
const graphqlEntry = createRequire(import.meta.url).resolve('graphql');

export default mergeConfig(
  baseConfig,
  defineProject({
    resolve: { alias: [{ find: /^graphql$/, replacement: graphqlEntry }] },
    test: {
      name: 'api',
      globalSetup: ['./test/global-setup.ts'],
      // One Temporal + Redis + worker + emulator serve every file; keep files sequential on 2 cores.
      fileParallelism: false,
      testTimeout: 60_000,
    },
  }),
);
