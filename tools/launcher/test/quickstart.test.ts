import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const root = new URL('../../../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), 'utf8');

/** The lines of the first code block under "## Quickstart" in the root README. */
function quickstartLines(): string[] {
  const section = /^## Quickstart\n([\s\S]*?)^## /m.exec(read('README.md'))?.[1] ?? '';
  const block = /```\w*\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
  return block.split('\n').filter((line) => line.trim() !== '');
}

describe('Quickstart', () => {
  it('gives exactly the commands CI and the launcher run', () => {
    expect(quickstartLines()).toEqual(['npm start', 'npm test']);
  });

  it('CI runs the named root script the README gives', () => {
    const scripts = JSON.parse(read('package.json')).scripts as Record<string, string>;
    expect(scripts.test).toMatch(/turbo run lint typecheck build test/);
    expect(scripts.start).toMatch(/tools\/launcher\/src\/main\.ts/);
    const ci = read('.ci/run');
    expect(ci).toMatch(/^npm test \|\| status=\$\?$/m);
  });
});
