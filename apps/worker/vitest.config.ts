import { baseConfig } from '@photomaker/vitest-config';
import { defineProject, mergeConfig } from 'vitest/config';

export default mergeConfig(
  baseConfig,
  defineProject({
    test: {
      name: 'worker',
      // One Temporal dev server, one redis-server and one emulator for the whole run.
      globalSetup: ['./test/global-setup.ts'],
    },
  }),
);
