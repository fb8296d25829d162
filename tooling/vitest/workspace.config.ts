import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// `pnpm vitest` at the root: every package's own vitest.config.ts, run as one multi-project session.
export default defineConfig({
  root: fileURLToPath(new URL('../..', import.meta.url)),
  test: {
    projects: [
      'apps/*/vitest.config.ts',
      'packages/*/vitest.config.ts',
      'tooling/*/vitest.config.ts',
      'tools/*/vitest.config.ts',
    ],
  },
});
