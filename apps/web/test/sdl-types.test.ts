import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const webDir = fileURLToPath(new URL('..', import.meta.url));

describe('types from the committed SDL', () => {
  it('src/api/graphql-env.d.ts is what apps/api/schema.graphql generates (run `pnpm generate-types`)', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'web-sdl-')), 'graphql-env.d.ts');
    const run = spawnSync(
      join(webDir, 'node_modules/.bin/gql.tada'),
      ['generate', 'output', '--output', out],
      {
        cwd: webDir,
        encoding: 'utf8',
      },
    );
    expect(run.status, run.stderr + run.stdout).toBe(0);
    expect(readFileSync(join(webDir, 'src/api/graphql-env.d.ts'), 'utf8')).toBe(readFileSync(out, 'utf8'));
  });
});
